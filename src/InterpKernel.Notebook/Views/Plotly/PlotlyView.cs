using System.Text;
using XPlot.Plotly;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// A chart drawn by Plotly (through XPlot.Plotly), for readers who want Plotly's toolbar: zoom, pan, export. Made by
/// <c>ToPlotly()</c> on a chart view; plotly.js comes with the first such output only (see <see cref="PlotlyOptions"/>).
/// </summary>
public sealed class PlotlyView : IHtmlView
{
    private readonly Func<PlotlyChart> _chart;
    private readonly Func<string> _plainText;

    internal PlotlyView(Func<PlotlyChart> chart, int height, Func<string> plainText)
    {
        _chart = chart;
        _plainText = plainText;
        Height = height;
    }

    /// <summary>Height of the plot in pixels.</summary>
    public int Height { get; }

    /// <summary>The XPlot chart, for further changes with XPlot's own API.</summary>
    public PlotlyChart Chart() => _chart();

    /// <inheritdoc />
    public string ToHtml(string? idPrefix = null)
    {
        var id = ViewIds.Resolve(idPrefix);
        var html = new StringBuilder(ViewAssets.StyleElement());
        html.Append($"<div class=\"ik-view ik-plotly\" id=\"{id}-root\">");
        PlotlyFigure.Append(html, id + "-root", id + "-plot", _chart(), Height);
        html.Append("</div>");
        return html.ToString();
    }

    /// <inheritdoc />
    public string ToPlainText() => _plainText();
}
