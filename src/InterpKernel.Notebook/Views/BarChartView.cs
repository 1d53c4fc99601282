using System.Text;
using InterpKernel.Notebook.Views.Charts;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// Bars over labelled categories, one or more named series side by side, such as the effect of ablating each head or
/// a metric per layer; drawn as SVG with each bar's value on hover.
/// </summary>
/// <example>
/// <code>
/// display(new BarChartView("Ablation effect", ["L1H0", "L1H3", "L1H5"], new NamedValues("loss change", [0.8f, 0.1f, 0.6f])));
/// </code>
/// </example>
public sealed record BarChartView : ISvgView, IChartBody
{
    /// <summary>Creates the view.</summary>
    /// <param name="title">Title above the chart.</param>
    /// <param name="labels">One label per bar (per group of bars when several series are given).</param>
    /// <param name="series">One or more named series, each with one value per label.</param>
    public BarChartView(string title, string[] labels, params NamedValues[] series)
    {
        LabelledSeries.Check(title, labels, series, "series");
        Title = title;
        Labels = labels;
        Series = series;
    }

    /// <summary>Title above the chart.</summary>
    public string Title { get; }

    /// <summary>One label per bar or group.</summary>
    public string[] Labels { get; }

    /// <summary>The named series.</summary>
    public NamedValues[] Series { get; }

    /// <summary>Title of the horizontal axis.</summary>
    public string XTitle { get; init; } = "";

    /// <summary>Title of the vertical axis.</summary>
    public string YTitle { get; init; } = "";

    /// <inheritdoc />
    public string ToHtml(string? idPrefix = null) => ChartHtml.Output(ViewIds.Resolve(idPrefix), this);

    /// <inheritdoc />
    public string ToSvg()
    {
        var svg = new StringBuilder();
        SvgBars.Grouped(svg, Title, XTitle, YTitle, Labels, Series, "");
        return svg.ToString();
    }

    /// <inheritdoc />
    string IChartBody.Kind => "ik-bar";

    /// <inheritdoc />
    void IChartBody.AppendBody(StringBuilder html, string id) => SvgBars.Grouped(html, Title, XTitle, YTitle, Labels, Series, $" id=\"{id}-plot\" class=\"ik-plot\"");

    /// <inheritdoc />
    public string ToPlainText() => LabelledSeries.PlainText(Title, Labels, Series);
}
