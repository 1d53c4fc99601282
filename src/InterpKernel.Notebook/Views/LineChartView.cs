using System.Text;
using InterpKernel.Notebook.Views.Charts;

namespace InterpKernel.Notebook.Views;

/// <summary>One or more named curves over labelled x values, such as probe accuracy per layer, drawn as SVG.</summary>
public sealed record LineChartView : SvgChartView
{
    /// <summary>Creates the view.</summary>
    /// <param name="title">Title above the plot.</param>
    /// <param name="xLabels">The x values as labels, such as "L0", "L1", ...</param>
    /// <param name="series">One or more named curves, each with one value per x label.</param>
    public LineChartView(string title, string[] xLabels, params NamedValues[] series) : base(title)
    {
        LabelledSeries.Check(title, xLabels, series, "curve");
        XLabels = xLabels;
        Series = series;
    }


    /// <summary>The x values as labels.</summary>
    public string[] XLabels { get; }

    /// <summary>The named curves.</summary>
    public NamedValues[] Series { get; }

    /// <summary>Title of the horizontal axis.</summary>
    public string XTitle { get; init; } = "";

    /// <summary>Title of the vertical axis.</summary>
    public string YTitle { get; init; } = "";

    /// <inheritdoc />
    private protected override string Kind => "ik-line";

    /// <inheritdoc />
    private protected override void Draw(StringBuilder svg, string idAttribute) => SvgLines.Write(svg, Title, XTitle, YTitle, XLabels, Series, idAttribute);

    /// <inheritdoc />
    public override string ToPlainText() => LabelledSeries.PlainText(Title, XLabels, Series);
}
