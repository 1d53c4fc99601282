using System.Text;

namespace InterpKernel.Notebook.Views.Charts;

/// <summary>Puts chart bodies into one output: the shared style once, the chart script once, bound to the output's root.</summary>
internal static class ChartHtml
{
    /// <summary>A whole output holding one chart view.</summary>
    public static string Output(string id, IChartBody chart)
    {
        var html = new StringBuilder(ViewAssets.StyleElement());
        html.Append($"<div class=\"ik-view ik-chart {chart.Kind}\" id=\"{id}-root\">");
        chart.AppendBody(html, id);
        html.Append("</div>");
        AppendScript(html, id + "-root");
        return html.ToString();
    }

    /// <summary>The chart script, defined once per page and bound to <paramref name="rootId"/>.</summary>
    public static void AppendScript(StringBuilder html, string rootId) =>
        html.Append("<script>").Append(ViewAssets.SharedFunction("chart.js"))
            .Append("(document.getElementById(").Append(HtmlText.Json(rootId)).Append("));</script>");
}
