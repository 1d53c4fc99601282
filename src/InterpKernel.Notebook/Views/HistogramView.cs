using System.Text;
using InterpKernel.Notebook.Views.Charts;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// One or more named sets of values as overlaid SVG histograms over shared bins (e.g. one neuron on two prompt sets), with
/// a table of summary statistics (n, mean, std, min, quartiles, max, fraction above zero) under it.
/// </summary>
public sealed record HistogramView : SvgChartView
{
    /// <summary>Creates the view.</summary>
    /// <param name="title">Title above the plot.</param>
    /// <param name="series">One or more named sets of values; two are overlaid with transparency.</param>
    public HistogramView(string title, params NamedValues[] series) : base(title)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Length == 0) throw new ArgumentException("give at least one named set of values to plot.", nameof(series));
        Series = series;
    }


    /// <summary>The named sets of values.</summary>
    public NamedValues[] Series { get; }

    /// <summary>Title of the horizontal axis, such as "activation".</summary>
    public string XTitle { get; init; } = "";

    /// <summary>Number of equal-width bins; about the square root of the number of values (5 to 60) when null.</summary>
    public int? Bins { get; init; }

    /// <summary>Creates a single-set histogram from a tensor of any shape; the values are copied.</summary>
    /// <param name="title">Title above the plot.</param>
    /// <param name="values">The samples.</param>
    /// <param name="name">Name of the set.</param>
    public static HistogramView FromTensor(string title, Tensor values, string name) =>
        new(title, new NamedValues(name, TensorData.ToFloats(values, nameof(values))));

    /// <inheritdoc />
    private protected override void Draw(StringBuilder svg, string idAttribute)
    {
        var (edges, counts) = SvgBars.Bin(Series, Bins);
        SvgBars.Histogram(svg, Title, XTitle, edges, counts, idAttribute);
    }

    /// <inheritdoc />
    private protected override string Kind => "ik-histogram";

    /// <inheritdoc />
    private protected override void AppendBody(StringBuilder html, string id)
    {
        Draw(html, PlotAttributes(id));
        AppendStatistics(html, id, SampleStatistics.Headers, Series.Select(s => (s.Name, SampleStatistics.Cells(s.Values))));
    }

    /// <inheritdoc />
    public override string ToPlainText()
    {
        var text = new StringBuilder(Title).AppendLine();
        int width = Math.Max(4, Series.Max(s => s.Name.Length));
        text.AppendLine(new string(' ', width) + string.Concat(SampleStatistics.Headers.Select(h => " " + h.PadLeft(9))));
        foreach (var s in Series)
        {
            text.AppendLine(s.Name.PadRight(width) + string.Concat(SampleStatistics.Cells(s.Values).Select(c => " " + c.PadLeft(9))));
        }
        return text.ToString();
    }
}
