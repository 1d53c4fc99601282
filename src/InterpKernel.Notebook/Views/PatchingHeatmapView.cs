using System.Text;
using XPlot.Plotly;
using static TorchSharp.torch;
using PlotLayout = XPlot.Plotly.Layout.Layout;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// A matrix such as an activation-patching result (layer × position, layer × head) drawn as a Plotly heatmap
/// with row and column labels, a colour scale centred at zero (or a fixed 0..1 scale) and values on hover.
/// </summary>
public sealed record PatchingHeatmapView : IHtmlView
{
    /// <summary>Creates the view.</summary>
    /// <param name="values">The matrix, one array per row, all rows of equal length.</param>
    /// <param name="rowLabels">One label per row, such as "L0" or "L0H3".</param>
    /// <param name="columnLabels">One distinct label per column; see <see cref="PositionLabels"/> for tokens.</param>
    /// <param name="title">Title above the plot.</param>
    public PatchingHeatmapView(float[][] values, string[] rowLabels, string[] columnLabels, string title)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(rowLabels);
        ArgumentNullException.ThrowIfNull(columnLabels);
        ArgumentNullException.ThrowIfNull(title);
        if (values.Length != rowLabels.Length)
        {
            throw new ArgumentException($"the matrix has {values.Length} rows but {rowLabels.Length} row labels were given.", nameof(rowLabels));
        }
        for (int r = 0; r < values.Length; r++)
        {
            if (values[r].Length != columnLabels.Length)
            {
                throw new ArgumentException($"row {rowLabels[r]} has {values[r].Length} values but {columnLabels.Length} column labels were given.", nameof(values));
            }
        }
        RequireDistinct(rowLabels, nameof(rowLabels));
        RequireDistinct(columnLabels, nameof(columnLabels));
        Values = values;
        RowLabels = rowLabels;
        ColumnLabels = columnLabels;
        Title = title;
    }

    /// <summary>The matrix, one array per row.</summary>
    public float[][] Values { get; }

    /// <summary>One label per row.</summary>
    public string[] RowLabels { get; }

    /// <summary>One label per column.</summary>
    public string[] ColumnLabels { get; }

    /// <summary>Title above the plot.</summary>
    public string Title { get; }

    /// <summary>The colour scale; <see cref="HeatmapScale.Diverging"/> unless set.</summary>
    public HeatmapScale Scale { get; init; } = HeatmapScale.Diverging;

    /// <summary>Axis titles, e.g. "position" and "layer".</summary>
    public string XTitle { get; init; } = "";

    /// <summary>Title of the vertical axis.</summary>
    public string YTitle { get; init; } = "";

    /// <summary>Column labels for tokens, made distinct by their position: "0: The", "1:  cat".</summary>
    /// <param name="tokens">The tokens as text.</param>
    public static string[] PositionLabels(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return PlotlyFigure.PositionLabels(tokens);
    }

    /// <summary>Creates the view from a 2-D tensor <c>[rows, columns]</c>; the values are copied.</summary>
    /// <param name="values">The matrix.</param>
    /// <param name="rowLabels">One label per row.</param>
    /// <param name="columnLabels">One distinct label per column.</param>
    /// <param name="title">Title above the plot.</param>
    public static PatchingHeatmapView FromTensor(Tensor values, string[] rowLabels, string[] columnLabels, string title)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.dim() != 2)
        {
            throw new ArgumentException($"a heatmap needs a 2-D tensor [rows, columns], got shape [{string.Join(", ", values.shape)}].", nameof(values));
        }
        int rows = (int)values.shape[0], cols = (int)values.shape[1];
        var flat = TensorData.ToFloats(values, nameof(values));
        var matrix = Enumerable.Range(0, rows).Select(r => flat.AsSpan(r * cols, cols).ToArray()).ToArray();
        return new PatchingHeatmapView(matrix, rowLabels, columnLabels, title);
    }

    /// <inheritdoc />
    public string ToHtml(string? idPrefix = null)
    {
        var id = ViewIds.Resolve(idPrefix);
        var html = new StringBuilder(ViewAssets.StyleElement());
        html.Append($"<div class=\"ik-view ik-heatmap\" id=\"{id}-root\">");
        AppendBody(html, id, id + "-root", includeLibrary: true);
        html.Append("</div>");
        return html.ToString();
    }

    /// <summary>The plot alone, for views that place several heatmaps on one output and load plotly.js once.</summary>
    internal void AppendBody(StringBuilder html, string id, string rootId, bool includeLibrary)
    {
        var heatmap = new Heatmap
        {
            z = Values.Select(PlotlyFigure.Finite).ToArray(),
            x = ColumnLabels,
            y = RowLabels,
            colorscale = Scale == HeatmapScale.Diverging
                ? new object[] { new object[] { 0.0, "rgb(33,102,172)" }, new object[] { 0.5, "rgb(255,255,255)" }, new object[] { 1.0, "rgb(178,24,43)" } }
                : new object[] { new object[] { 0.0, "rgb(255,255,255)" }, new object[] { 1.0, "rgb(8,81,156)" } },
        };
        if (Scale == HeatmapScale.Diverging)
        {
            var limit = ColorScale.SymmetricLimit(Values.SelectMany(r => r));
            heatmap.zmin = -limit;
            heatmap.zmax = limit;
        }
        else
        {
            heatmap.zmin = 0;
            heatmap.zmax = 1;
        }
        int height = Math.Clamp(140 + 24 * RowLabels.Length, 260, 900);
        var layout = new PlotLayout
        {
            title = Title,
            height = height,
            margin = new Margin { l = 90, r = 30, t = 50, b = 110 },
            xaxis = new Xaxis { title = XTitle, type = "category", tickangle = -45 },
            yaxis = new Yaxis { title = YTitle, type = "category", autorange = "reversed" },
        };
        PlotlyFigure.Append(html, rootId, id + "-plot", Chart.Plot(heatmap, layout), height, includeLibrary);
    }

    /// <inheritdoc />
    public string ToPlainText()
    {
        var text = new StringBuilder(Title).AppendLine();
        int width = Math.Max(6, RowLabels.Max(l => l.Length));
        int maxColumns = Math.Min(ColumnLabels.Length, 24);
        text.Append(new string(' ', width));
        for (int c = 0; c < maxColumns; c++) text.Append(' ').Append(Clip(ColumnLabels[c]));
        if (maxColumns < ColumnLabels.Length) text.Append(" …");
        text.AppendLine();
        for (int r = 0; r < RowLabels.Length; r++)
        {
            text.Append(RowLabels[r].PadRight(width));
            for (int c = 0; c < maxColumns; c++) text.Append(' ').Append(HtmlText.Number(Values[r][c]).PadLeft(9));
            if (maxColumns < ColumnLabels.Length) text.Append(" …");
            text.AppendLine();
        }
        return text.ToString();
    }

    private static string Clip(string label) => (label.Length > 9 ? label[..8] + "…" : label).PadLeft(9);

    private static void RequireDistinct(string[] labels, string name)
    {
        var repeated = labels.GroupBy(l => l).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            throw new ArgumentException($"label '{repeated.Key}' appears {repeated.Count()} times; Plotly would merge those rows or columns. Make labels distinct, e.g. with PatchingHeatmapView.PositionLabels(tokens).", name);
        }
    }
}
