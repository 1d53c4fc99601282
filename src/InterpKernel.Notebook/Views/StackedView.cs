using System.Text;
using InterpKernel.Notebook.Views.Charts;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// Views shown one below the other in one output, such as a chart over the table it was drawn from, or an
/// activation's distribution over its top examples.
/// </summary>
public sealed record StackedView : IHtmlView
{
    /// <summary>Creates the view.</summary>
    /// <param name="title">Title above the parts, or null for none.</param>
    /// <param name="parts">The views, top to bottom.</param>
    public StackedView(string? title, params IHtmlView[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Length == 0) throw new ArgumentException("give at least one view to stack.", nameof(parts));
        if (parts.Any(p => p is null)) throw new ArgumentException("one of the parts is null: pass only views.", nameof(parts));
        Title = title;
        Parts = parts;
    }

    /// <summary>Title above the parts.</summary>
    public string? Title { get; }

    /// <summary>The views, top to bottom.</summary>
    public IHtmlView[] Parts { get; }

    /// <inheritdoc />
    public string ToHtml(string? idPrefix = null)
    {
        var id = ViewIds.Resolve(idPrefix);
        var html = new StringBuilder(ViewAssets.StyleElement());
        html.Append($"<div class=\"ik-view ik-chart ik-stack\" id=\"{id}-root\">");
        if (Title is not null) html.Append($"<div class=\"ik-title\">{HtmlText.Encode(Title)}</div>");
        bool charts = false;
        for (int i = 0; i < Parts.Length; i++)
        {
            if (Parts[i] is IChartBody chart)
            {
                // Charts share this output's one chart script, bound to the stack's root.
                html.Append($"<div class=\"ik-view ik-chart {chart.Kind}\" id=\"{id}-p{i}-root\">");
                chart.AppendBody(html, $"{id}-p{i}");
                html.Append("</div>");
                charts = true;
            }
            else
            {
                html.Append(Parts[i].ToHtml($"{id}-p{i}"));
            }
        }
        html.Append("</div>");
        if (charts) ChartHtml.AppendScript(html, id + "-root");
        return html.ToString();
    }

    /// <inheritdoc />
    public string ToPlainText()
    {
        var text = new StringBuilder();
        if (Title is not null) text.AppendLine(Title);
        text.AppendJoin(Environment.NewLine, Parts.Select(p => p.ToPlainText()));
        return text.ToString();
    }
}
