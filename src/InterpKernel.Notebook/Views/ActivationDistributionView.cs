using System.Globalization;
using System.Text;
using InterpKernel.Analysis;
using InterpKernel.Notebook.Views.Charts;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// One activation's distribution as computed by a scan: its fixed-bin histogram as SVG bars (two sets overlaid,
/// e.g. one neuron on two prompt sets) and a table of the summary statistics, with an optional note such as an
/// effect size.
/// </summary>
public sealed record ActivationDistributionView : SvgChartView
{
    /// <summary>Creates the view.</summary>
    /// <param name="title">Title above the plot.</param>
    /// <param name="series">One or more named distributions.</param>
    public ActivationDistributionView(string title, params (string Name, ActivationStatistics Statistics)[] series) : base(title)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Length == 0) throw new ArgumentException("give at least one named distribution to plot.", nameof(series));
        foreach (var (name, statistics) in series)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("every distribution needs a non-empty name for the legend.", nameof(series));
            ArgumentNullException.ThrowIfNull(statistics, nameof(series));
        }
        Series = series;
    }


    /// <summary>The named distributions.</summary>
    public (string Name, ActivationStatistics Statistics)[] Series { get; }

    /// <summary>A line under the title, such as "Cohen's d = 1.2".</summary>
    public string? Note { get; init; }

    /// <summary>Title of the horizontal axis.</summary>
    public string XTitle { get; init; } = "activation";

    /// <summary>The table's column headers: count, moments, extremes, the quantiles the scan kept, and the active fraction.</summary>
    public string[] Headers()
    {
        var quantiles = Series.SelectMany(s => s.Statistics.Quantiles.Keys).Distinct().Order();
        return ["n", "mean", "std", "min", .. quantiles.Select(QuantileHeader), "max", "frac active"];
    }

    private string[] Cells(ActivationStatistics s)
    {
        var quantiles = Series.SelectMany(x => x.Statistics.Quantiles.Keys).Distinct().Order();
        return [s.Count.ToString(CultureInfo.InvariantCulture), HtmlText.Number(s.Mean), HtmlText.Number(s.Std), HtmlText.Number(s.Min),
            .. quantiles.Select(q => s.Quantiles.TryGetValue(q, out var v) ? HtmlText.Number(v) : ""), HtmlText.Number(s.Max), HtmlText.Number(s.FractionActive)];
    }

    private static string QuantileHeader(double q) => (q * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    /// <summary>Every series on the first series' bin edges (scans of one site share their histogram's range).</summary>
    private protected override void Draw(StringBuilder svg, string idAttribute)
    {
        var edges = Series[0].Statistics.Histogram.Edges.ToArray();
        var counts = Series.Select(s => (s.Name, s.Statistics.Histogram.Counts.Select(c => (double)c).ToArray())).ToArray();
        if (edges.Length < 2)
        {
            // Nothing was counted: an empty frame rather than no chart.
            edges = [0, 1];
            counts = Series.Select(s => (s.Name, new double[] { 0 })).ToArray();
        }
        SvgBars.Histogram(svg, Title, XTitle, edges, counts, idAttribute);
    }

    /// <inheritdoc />
    private protected override string Kind => "ik-distribution";

    /// <inheritdoc />
    private protected override void AppendBody(StringBuilder html, string id)
    {
        if (Note is not null) html.Append($"<div class=\"ik-note ik-distribution-note\" id=\"{id}-note\">{HtmlText.Encode(Note)}</div>");
        Draw(html, PlotAttributes(id));
        AppendStatistics(html, id, Headers(), Series.Select(s => (s.Name, Cells(s.Statistics))));
        var outside = Series.Where(s => s.Statistics.Histogram.Underflow + s.Statistics.Histogram.Overflow > 0)
            .Select(s => $"{s.Name}: {s.Statistics.Histogram.Underflow} below and {s.Statistics.Histogram.Overflow} above the histogram's range");
        var estimated = Series.Where(s => !s.Statistics.QuantilesExact).Select(s => $"{s.Name}: quantiles estimated from a sample");
        foreach (var line in outside.Concat(estimated)) html.Append($"<div class=\"ik-note\">{HtmlText.Encode(line)}</div>");
    }

    /// <inheritdoc />
    public override string ToPlainText()
    {
        var text = new StringBuilder(Title).AppendLine();
        if (Note is not null) text.AppendLine(Note);
        int width = Math.Max(4, Series.Max(s => s.Name.Length));
        text.AppendLine(new string(' ', width) + string.Concat(Headers().Select(h => " " + h.PadLeft(9))));
        foreach (var (name, statistics) in Series)
        {
            text.AppendLine(name.PadRight(width) + string.Concat(Cells(statistics).Select(c => " " + c.PadLeft(9))));
        }
        return text.ToString();
    }
}
