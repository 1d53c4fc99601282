using System.Text;
using InterpKernel.Notebook.Views.Charts;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// A matrix such as an activation-patching result (layer × position, layer × head) drawn as an SVG heatmap with row
/// and column labels, a colour scale centred at zero (or a fixed 0..1 scale) and values on hover.
/// </summary>
public sealed record PatchingHeatmapView : SvgChartView
{
    /// <summary>Creates the view.</summary>
    /// <param name="values">The matrix, one array per row, all rows of equal length.</param>
    /// <param name="rowLabels">One label per row, such as "L0" or "L0H3".</param>
    /// <param name="columnLabels">One label per column; see <see cref="PositionLabels"/> for tokens.</param>
    /// <param name="title">Title above the plot.</param>
    public PatchingHeatmapView(float[][] values, string[] rowLabels, string[] columnLabels, string title) : base(title)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(rowLabels);
        ArgumentNullException.ThrowIfNull(columnLabels);
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
        Values = values;
        RowLabels = rowLabels;
        ColumnLabels = columnLabels;
    }

    /// <summary>The matrix, one array per row.</summary>
    public float[][] Values { get; }

    /// <summary>One label per row.</summary>
    public string[] RowLabels { get; }

    /// <summary>One label per column.</summary>
    public string[] ColumnLabels { get; }


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
        return tokens.Select((t, i) => $"{i}: {HtmlText.Token(t)}").ToArray();
    }

    /// <summary>Creates the view from a 2-D tensor <c>[rows, columns]</c>; the values are copied.</summary>
    /// <param name="values">The matrix.</param>
    /// <param name="rowLabels">One label per row.</param>
    /// <param name="columnLabels">One label per column.</param>
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
    private protected override string Kind => "ik-heatmap";

    /// <inheritdoc />
    private protected override void Draw(StringBuilder svg, string idAttribute) => SvgHeatmap.Write(svg, this, idAttribute);

    /// <inheritdoc />
    public override string ToPlainText()
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
}
