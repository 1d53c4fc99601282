using System.Text;
using InterpKernel.Notebook.Views.Charts;

namespace InterpKernel.Notebook.Views;

/// <summary>One or more named curves over labelled x values, such as probe accuracy per layer, drawn as SVG.</summary>
public sealed record LineChartView : ISvgView, IChartBody
{
    /// <summary>Creates the view.</summary>
    /// <param name="title">Title above the plot.</param>
    /// <param name="xLabels">The x values as labels, such as "L0", "L1", ...</param>
    /// <param name="series">One or more named curves, each with one value per x label.</param>
    public LineChartView(string title, string[] xLabels, params NamedValues[] series)
    {
        LabelledSeries.Check(title, xLabels, series, "curve");
        Title = title;
        XLabels = xLabels;
        Series = series;
    }

    /// <summary>Title above the plot.</summary>
    public string Title { get; }

    /// <summary>The x values as labels.</summary>
    public string[] XLabels { get; }

    /// <summary>The named curves.</summary>
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
        SvgLines.Write(svg, Title, XTitle, YTitle, XLabels, Series, "");
        return svg.ToString();
    }

    /// <inheritdoc />
    string IChartBody.Kind => "ik-line";

    /// <inheritdoc />
    void IChartBody.AppendBody(StringBuilder html, string id) => SvgLines.Write(html, Title, XTitle, YTitle, XLabels, Series, $" id=\"{id}-plot\" class=\"ik-plot\"");

    /// <inheritdoc />
    public string ToPlainText() => LabelledSeries.PlainText(Title, XLabels, Series);
}
