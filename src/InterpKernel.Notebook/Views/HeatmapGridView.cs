using System.Text;
using InterpKernel.Notebook.Views.Charts;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// Several heatmaps side by side (wrapping on narrow pages), such as attribution-patching estimates for the
/// residual stream, attention and MLP outputs, or an actual patching result next to its linear estimate.
/// The chart script comes once for all of them.
/// </summary>
public sealed record HeatmapGridView : IHtmlView
{
    /// <summary>Creates the view.</summary>
    /// <param name="title">Title above the heatmaps.</param>
    /// <param name="heatmaps">The heatmaps, in reading order.</param>
    public HeatmapGridView(string title, params PatchingHeatmapView[] heatmaps)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(heatmaps);
        if (heatmaps.Length == 0) throw new ArgumentException("give at least one heatmap to show.", nameof(heatmaps));
        if (heatmaps.Any(h => h is null)) throw new ArgumentException("one of the heatmaps is null: pass only views.", nameof(heatmaps));
        Title = title;
        Heatmaps = heatmaps;
    }

    /// <summary>Title above the heatmaps.</summary>
    public string Title { get; }

    /// <summary>The heatmaps, in reading order.</summary>
    public PatchingHeatmapView[] Heatmaps { get; }

    /// <inheritdoc />
    public string ToHtml(string? idPrefix = null)
    {
        var id = ViewIds.Resolve(idPrefix);
        var html = new StringBuilder(ViewAssets.StyleElement());
        html.Append($"<div class=\"ik-view ik-chart ik-heatmap-grid\" id=\"{id}-root\"><div class=\"ik-title\">{HtmlText.Encode(Title)}</div>");
        html.Append("<div class=\"ik-columns\">");
        for (int i = 0; i < Heatmaps.Length; i++)
        {
            html.Append($"<div class=\"ik-cell ik-heatmap\" id=\"{id}-h{i}-root\">");
            ((IChartBody)Heatmaps[i]).AppendBody(html, $"{id}-h{i}");
            html.Append("</div>");
        }
        html.Append("</div></div>");
        ChartHtml.AppendScript(html, id + "-root");
        return html.ToString();
    }

    /// <inheritdoc />
    public string ToPlainText() => Title + Environment.NewLine + string.Join(Environment.NewLine, Heatmaps.Select(h => h.ToPlainText()));
}
