using System.Globalization;
using System.Text;
using InterpKernel.Analysis;
using XPlot.Plotly;
using PlotLayout = XPlot.Plotly.Layout.Layout;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// One activation's distribution as computed by a scan: its fixed-bin histogram as Plotly bars (two sets overlaid,
/// e.g. one neuron on two prompt sets) and a table of the summary statistics, with an optional note such as an
/// effect size.
/// </summary>
public sealed record ActivationDistributionView : IHtmlView
{
    /// <summary>Creates the view.</summary>
    /// <param name="title">Title above the plot.</param>
    /// <param name="series">One or more named distributions.</param>
    public ActivationDistributionView(string title, params (string Name, ActivationStatistics Statistics)[] series)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(series);
        if (series.Length == 0) throw new ArgumentException("give at least one named distribution to plot.", nameof(series));
        foreach (var (name, statistics) in series)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("every distribution needs a non-empty name for the legend.", nameof(series));
            ArgumentNullException.ThrowIfNull(statistics, nameof(series));
        }
        Title = title;
        Series = series;
    }

    /// <summary>Title above the plot.</summary>
    public string Title { get; }

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

    /// <inheritdoc />
    public string ToHtml(string? idPrefix = null)
    {
        var id = ViewIds.Resolve(idPrefix);
        var html = new StringBuilder(ViewAssets.StyleElement());
        html.Append($"<div class=\"ik-view ik-distribution\" id=\"{id}-root\">");
        AppendBody(html, id, id + "-root", includeLibrary: true);
        html.Append("</div>");
        return html.ToString();
    }

    internal void AppendBody(StringBuilder html, string id, string rootId, bool includeLibrary)
    {
        var traces = Series.Select(s =>
        {
            var h = s.Statistics.Histogram;
            var centres = Enumerable.Range(0, h.Counts.Length).Select(i => (h.Edges[i] + h.Edges[i + 1]) / 2).ToArray();
            return new Bar { x = centres, y = h.Counts, name = s.Name, opacity = Series.Length > 1 ? 0.6 : 0.85 };
        }).ToArray();
        var layout = new PlotLayout
        {
            title = Title,
            barmode = "overlay",
            bargap = 0,
            height = 360,
            margin = new Margin { l = 50, r = 20, t = 50, b = 50 },
            xaxis = new Xaxis { title = XTitle },
            yaxis = new Yaxis { title = "count" },
        };
        if (Note is not null) html.Append($"<div class=\"ik-note ik-distribution-note\" id=\"{id}-note\">{HtmlText.Encode(Note)}</div>");
        PlotlyFigure.Append(html, rootId, id + "-plot", Chart.Plot(traces, layout), 360, includeLibrary);
        html.Append($"<table class=\"ik-table ik-stats\" id=\"{id}-stats\"><thead><tr><th></th>");
        foreach (var header in Headers()) html.Append($"<th>{HtmlText.Encode(header)}</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var (name, statistics) in Series)
        {
            html.Append($"<tr><th>{HtmlText.Encode(name)}</th>");
            foreach (var cell in Cells(statistics)) html.Append($"<td>{cell}</td>");
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
        var outside = Series.Where(s => s.Statistics.Histogram.Underflow + s.Statistics.Histogram.Overflow > 0)
            .Select(s => $"{s.Name}: {s.Statistics.Histogram.Underflow} below and {s.Statistics.Histogram.Overflow} above the histogram's range");
        var estimated = Series.Where(s => !s.Statistics.QuantilesExact).Select(s => $"{s.Name}: quantiles estimated from a sample");
        foreach (var line in outside.Concat(estimated)) html.Append($"<div class=\"ik-note\">{HtmlText.Encode(line)}</div>");
    }

    /// <inheritdoc />
    public string ToPlainText()
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
