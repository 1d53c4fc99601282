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
public sealed record BarChartView : SvgChartView
{
    /// <summary>Creates the view.</summary>
    /// <param name="title">Title above the chart.</param>
    /// <param name="labels">One label per bar (per group of bars when several series are given).</param>
    /// <param name="series">One or more named series, each with one value per label.</param>
    public BarChartView(string title, string[] labels, params NamedValues[] series) : base(title)
    {
        LabelledSeries.Check(title, labels, series, "series");
        Labels = labels;
        Series = series;
    }


    /// <summary>One label per bar or group.</summary>
    public string[] Labels { get; }

    /// <summary>The named series.</summary>
    public NamedValues[] Series { get; }

    /// <summary>Title of the horizontal axis.</summary>
    public string XTitle { get; init; } = "";

    /// <summary>Title of the vertical axis.</summary>
    public string YTitle { get; init; } = "";

    /// <inheritdoc />
    private protected override string Kind => "ik-bar";

    /// <inheritdoc />
    private protected override void Draw(StringBuilder svg, string idAttribute) => SvgBars.Grouped(svg, Title, XTitle, YTitle, Labels, Series, idAttribute);

    /// <inheritdoc />
    public override string ToPlainText() => LabelledSeries.PlainText(Title, Labels, Series);
}
