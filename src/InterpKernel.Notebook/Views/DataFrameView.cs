using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;

namespace InterpKernel.Notebook.Views;

/// <summary>A DataFrame as a table: column names and types, the first rows (50 by default), and how many rows are left out.</summary>
public sealed record DataFrameView : IHtmlView
{
    private const int MaxColumns = 40;

    private DataFrameView(string[] columns, string[] types, string?[][] rows, long rowCount, long columnCount)
    {
        Columns = columns;
        Types = types;
        Rows = rows;
        RowCount = rowCount;
        ColumnCount = columnCount;
    }

    /// <summary>Names of the shown columns.</summary>
    public string[] Columns { get; }

    /// <summary>Element type of each shown column.</summary>
    public string[] Types { get; }

    /// <summary>The shown rows, as text (null for a missing value).</summary>
    public string?[][] Rows { get; }

    /// <summary>Number of rows in the DataFrame.</summary>
    public long RowCount { get; }

    /// <summary>Number of columns in the DataFrame.</summary>
    public long ColumnCount { get; }

    /// <summary>Copies the first <paramref name="maxRows"/> rows of <paramref name="frame"/> as text.</summary>
    /// <param name="frame">The DataFrame; it is not kept.</param>
    /// <param name="maxRows">How many rows to show at most.</param>
    public static DataFrameView From(DataFrame frame, int maxRows = 50)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (maxRows <= 0) throw new ArgumentException($"maxRows must be positive, got {maxRows}.", nameof(maxRows));
        var columns = frame.Columns.Take(MaxColumns).ToArray();
        long shownRows = Math.Min(frame.Rows.Count, maxRows);
        var rows = new string?[shownRows][];
        for (long r = 0; r < shownRows; r++)
        {
            rows[r] = columns.Select(c => Cell(c[r])).ToArray();
        }
        return new DataFrameView(columns.Select(c => c.Name).ToArray(), columns.Select(c => c.DataType.Name).ToArray(), rows, frame.Rows.Count, frame.Columns.Count);
    }

    private static string? Cell(object? value) => value switch
    {
        null => null,
        float f => HtmlText.Number(f),
        double d => HtmlText.Number(d),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    /// <inheritdoc />
    public string ToHtml(string? idPrefix = null)
    {
        var id = ViewIds.Resolve(idPrefix);
        var html = new StringBuilder(ViewAssets.StyleElement());
        html.Append($"<div class=\"ik-view ik-dataframe\" id=\"{id}-root\"><table class=\"ik-table\" id=\"{id}-table\">");
        html.Append($"<caption>DataFrame · {RowCount} rows × {ColumnCount} columns</caption><thead><tr><th></th>");
        for (int c = 0; c < Columns.Length; c++) html.Append($"<th title=\"{HtmlText.Encode(Types[c])}\">{HtmlText.Encode(Columns[c])}</th>");
        if (ColumnCount > Columns.Length) html.Append("<th class=\"ik-ellipsis\">…</th>");
        html.Append("</tr></thead><tbody>");
        for (int r = 0; r < Rows.Length; r++)
        {
            html.Append($"<tr><th>{r}</th>");
            foreach (var cell in Rows[r]) html.Append(cell is null ? "<td class=\"ik-ellipsis\">null</td>" : $"<td>{HtmlText.Encode(cell)}</td>");
            if (ColumnCount > Columns.Length) html.Append("<td class=\"ik-ellipsis\">…</td>");
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
        if (RowCount > Rows.Length) html.Append($"<div class=\"ik-note\">… {RowCount - Rows.Length} more rows</div>");
        html.Append("</div>");
        return html.ToString();
    }

    /// <inheritdoc />
    public string ToPlainText()
    {
        var widths = Columns.Select((c, i) => Math.Max(c.Length, Rows.Select(r => (r[i] ?? "null").Length).DefaultIfEmpty(0).Max())).ToArray();
        var text = new StringBuilder($"DataFrame: {RowCount} rows × {ColumnCount} columns").AppendLine();
        text.AppendLine(string.Join("  ", Columns.Select((c, i) => c.PadLeft(widths[i]))));
        foreach (var row in Rows) text.AppendLine(string.Join("  ", row.Select((v, i) => (v ?? "null").PadLeft(widths[i]))));
        if (RowCount > Rows.Length) text.AppendLine($"... {RowCount - Rows.Length} more rows");
        return text.ToString();
    }
}
