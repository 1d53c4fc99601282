using System.Text;

namespace InterpKernel.Notebook.Views;

/// <summary>A small table of named values with a short explanation each, such as an SAE's evaluation metrics.</summary>
public sealed record SummaryTableView : IHtmlView
{
    /// <summary>Creates the view.</summary>
    /// <param name="title">Caption of the table.</param>
    /// <param name="rows">The quantities, in order.</param>
    public SummaryTableView(string title, params SummaryRow[] rows)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Any(r => r is null)) throw new ArgumentException("one of the rows is null: pass only rows.", nameof(rows));
        Title = title;
        Rows = rows;
    }

    /// <summary>Caption of the table.</summary>
    public string Title { get; }

    /// <summary>The quantities, in order.</summary>
    public SummaryRow[] Rows { get; }

    /// <inheritdoc />
    public string ToHtml(string? idPrefix = null)
    {
        var id = ViewIds.Resolve(idPrefix);
        bool described = Rows.Any(r => r.Description.Length > 0);
        var html = new StringBuilder(ViewAssets.StyleElement());
        html.Append($"<div class=\"ik-view ik-summary\" id=\"{id}-root\"><table class=\"ik-table\" id=\"{id}-table\"><caption>{HtmlText.Encode(Title)}</caption><tbody>");
        foreach (var row in Rows)
        {
            html.Append($"<tr><th>{HtmlText.Encode(row.Name)}</th><td>{HtmlText.Encode(row.Value)}</td>");
            if (described) html.Append($"<td class=\"ik-note\" style=\"text-align:left\">{HtmlText.Encode(row.Description)}</td>");
            html.Append("</tr>");
        }
        html.Append("</tbody></table></div>");
        return html.ToString();
    }

    /// <inheritdoc />
    public string ToPlainText()
    {
        var text = new StringBuilder(Title).AppendLine();
        int width = Rows.Select(r => r.Name.Length).DefaultIfEmpty(0).Max();
        int valueWidth = Rows.Select(r => r.Value.Length).DefaultIfEmpty(0).Max();
        foreach (var row in Rows)
        {
            text.Append("  ").Append(row.Name.PadRight(width)).Append("  ").Append(row.Value.PadLeft(valueWidth));
            if (row.Description.Length > 0) text.Append("  ").Append(row.Description);
            text.AppendLine();
        }
        return text.ToString();
    }
}
