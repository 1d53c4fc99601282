using System.Text;
using XPlot.Plotly;

namespace InterpKernel.Notebook.Views;

/// <summary>Places an XPlot chart in an output: plotly.js (local or CDN, first output only), the plot div and its drawing script.</summary>
internal static class PlotlyFigure
{
    public static void Append(StringBuilder html, string rootId, string plotId, PlotlyChart chart, int height)
    {
        html.Append(PlotlyOptions.LibraryElementOnce());
        chart.WithId(plotId);
        html.Append($"<div class=\"ik-plot\" id=\"{plotId}\" style=\"width:100%;min-width:360px;height:{height}px\"></div>");
        // XPlot's drawing code calls Plotly.newPlot; a local Plotly shim fixes titles for Plotly 2+ and flags
        // the output ready once drawn. Data strings come from the caller, so '</' is escaped for the script element.
        var plotting = chart.GetPlottingJS().Replace("</", "<\\/").Replace("<!--", "<\\!--");
        html.Append("<script>(function(){var Plotly=(").Append(ViewAssets.Get("plotly-view.js"))
            .Append(")(document.getElementById(").Append(HtmlText.Json(rootId)).Append("));\n")
            .Append(plotting).Append("\n})();</script>");
    }

    /// <summary>Plotly shows gaps for nulls; NaN would not survive serialisation.</summary>
    public static double?[] Finite(IEnumerable<float> values) =>
        values.Select(v => float.IsFinite(v) ? (double?)v : null).ToArray();
}
