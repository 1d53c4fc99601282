using System.Text;
using InterpKernel.Notebook.Views.Charts;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// Points on two numeric axes, one colour per named set, such as each head's score on two detectors or a probe's
/// prediction against the truth; drawn as SVG with each point's label and coordinates on hover.
/// </summary>
public sealed record ScatterChartView : SvgChartView
{
    /// <summary>Creates the view.</summary>
    /// <param name="title">Title above the chart.</param>
    /// <param name="series">One or more named sets of points.</param>
    public ScatterChartView(string title, params ScatterSeries[] series) : base(title)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.Length == 0) throw new ArgumentException("give at least one named set of points.", nameof(series));
        Series = series;
    }


    /// <summary>The named sets of points.</summary>
    public ScatterSeries[] Series { get; }

    /// <summary>Title of the horizontal axis.</summary>
    public string XTitle { get; init; } = "";

    /// <summary>Title of the vertical axis.</summary>
    public string YTitle { get; init; } = "";

    /// <inheritdoc />
    private protected override string Kind => "ik-scatter";

    /// <inheritdoc />
    private protected override void Draw(StringBuilder svg, string idAttribute) => SvgScatter.Write(svg, Title, XTitle, YTitle, Series, idAttribute);

    /// <inheritdoc />
    public override string ToPlainText()
    {
        var text = new StringBuilder(Title).AppendLine();
        foreach (var s in Series)
        {
            text.AppendLine($"{s.Name}: {s.X.Length} points");
            for (int i = 0; i < Math.Min(s.X.Length, 20); i++)
            {
                text.AppendLine($"  {(s.Labels is { } l ? l[i] + " " : "")}({HtmlText.Number(s.X[i])}, {HtmlText.Number(s.Y[i])})");
            }
            if (s.X.Length > 20) text.AppendLine($"  … {s.X.Length - 20} more");
        }
        return text.ToString();
    }
}
