using System.Text;
using InterpKernel.Notebook.Views.Charts;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// Points on two numeric axes, one colour per named set, such as each head's score on two detectors or a probe's
/// prediction against the truth; drawn as SVG with each point's label and coordinates on hover.
/// </summary>
public sealed record ScatterChartView : ISvgView, IChartBody
{
    /// <summary>Creates the view.</summary>
    /// <param name="title">Title above the chart.</param>
    /// <param name="series">One or more named sets of points.</param>
    public ScatterChartView(string title, params ScatterSeries[] series)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(series);
        if (series.Length == 0) throw new ArgumentException("give at least one named set of points.", nameof(series));
        Title = title;
        Series = series;
    }

    /// <summary>Title above the chart.</summary>
    public string Title { get; }

    /// <summary>The named sets of points.</summary>
    public ScatterSeries[] Series { get; }

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
        SvgScatter.Write(svg, Title, XTitle, YTitle, Series, "");
        return svg.ToString();
    }

    /// <inheritdoc />
    string IChartBody.Kind => "ik-scatter";

    /// <inheritdoc />
    void IChartBody.AppendBody(StringBuilder html, string id) => SvgScatter.Write(html, Title, XTitle, YTitle, Series, $" id=\"{id}-plot\" class=\"ik-plot\"");

    /// <inheritdoc />
    public string ToPlainText()
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
