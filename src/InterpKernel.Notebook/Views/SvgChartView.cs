using System.Text;
using InterpKernel.Notebook.Views.Charts;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// A chart drawn as SVG. One drawing serves three outputs: the standalone SVG (<see cref="ToSvg"/>), the notebook
/// output with its style and chart script (<see cref="ToHtml"/>), and a body that shares one style and script with
/// the other charts of a report.
/// </summary>
public abstract record SvgChartView : ISvgView, IChartBody
{
    /// <summary>Sets the title.</summary>
    private protected SvgChartView(string title)
    {
        ArgumentNullException.ThrowIfNull(title);
        Title = title;
    }

    /// <summary>Title above the chart.</summary>
    public string Title { get; }

    /// <inheritdoc />
    public string ToHtml(string? idPrefix = null) => ChartHtml.Output(ViewIds.Resolve(idPrefix), this);

    /// <inheritdoc />
    public string ToSvg()
    {
        var svg = new StringBuilder();
        Draw(svg, "");
        return svg.ToString();
    }

    /// <inheritdoc />
    public abstract string ToPlainText();

    /// <summary>The CSS class naming the kind of chart, such as ik-heatmap.</summary>
    private protected abstract string Kind { get; }

    /// <summary>Draws the SVG element, with <paramref name="idAttribute"/> (empty or <c> id=".." class=".."</c>) on it.</summary>
    private protected abstract void Draw(StringBuilder svg, string idAttribute);

    /// <summary>The chart and whatever is shown with it (a note, a table), without style or script.</summary>
    private protected virtual void AppendBody(StringBuilder html, string id) => Draw(html, PlotAttributes(id));

    /// <summary>The id and class of the plot element of the output <paramref name="id"/>.</summary>
    private protected static string PlotAttributes(string id) => $" id=\"{id}-plot\" class=\"ik-plot\"";

    /// <summary>A table of summary statistics under a chart: a header row, then one row per named set.</summary>
    private protected static void AppendStatistics(StringBuilder html, string id, IEnumerable<string> headers, IEnumerable<(string Name, string[] Cells)> rows)
    {
        html.Append($"<table class=\"ik-table ik-stats\" id=\"{id}-stats\"><thead><tr><th></th>");
        foreach (var header in headers) html.Append($"<th>{HtmlText.Encode(header)}</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var (name, cells) in rows)
        {
            html.Append($"<tr><th>{HtmlText.Encode(name)}</th>");
            foreach (var cell in cells) html.Append($"<td>{cell}</td>");
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
    }

    string IChartBody.Kind => Kind;

    void IChartBody.AppendBody(StringBuilder html, string id) => AppendBody(html, id);
}
