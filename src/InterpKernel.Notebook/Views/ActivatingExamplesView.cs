using System.Text;
using InterpKernel.Analysis;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// The top activating examples of a scan, strongest first: each context as tokens with the activating token marked
/// and coloured by its activation (one colour scale for the whole list), with where it was found on hover.
/// </summary>
public sealed record ActivatingExamplesView : IHtmlView
{
    /// <summary>Creates the view.</summary>
    /// <param name="title">Title above the list, such as "blocks.1.mlp.hook_post[:, :, 17]: top examples".</param>
    /// <param name="examples">The examples, strongest first.</param>
    public ActivatingExamplesView(string title, IReadOnlyList<ActivatingExample> examples)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(examples);
        foreach (var e in examples)
        {
            ArgumentNullException.ThrowIfNull(e, nameof(examples));
            if (e.MarkedIndex < 0 || e.MarkedIndex >= e.ContextTokens.Length)
            {
                throw new ArgumentException($"an example marks token {e.MarkedIndex} of a context of {e.ContextTokens.Length} tokens: the marked index must lie inside the context.", nameof(examples));
            }
        }
        Title = title;
        Examples = examples.ToArray();
    }

    /// <summary>Title above the list.</summary>
    public string Title { get; }

    /// <summary>The examples, strongest first.</summary>
    public ActivatingExample[] Examples { get; }

    /// <inheritdoc />
    public string ToHtml(string? idPrefix = null)
    {
        var id = ViewIds.Resolve(idPrefix);
        double limit = ColorScale.SymmetricLimit(Examples.Select(e => e.Activation));
        var html = new StringBuilder(ViewAssets.StyleElement());
        html.Append($"<div class=\"ik-view ik-examples\" id=\"{id}-root\"><div class=\"ik-title\">{HtmlText.Encode(Title)}</div>");
        if (Examples.Length == 0) html.Append("<div class=\"ik-note\">no examples</div>");
        for (int e = 0; e < Examples.Length; e++)
        {
            var example = Examples[e];
            html.Append($"<div class=\"ik-example\" id=\"{id}-ex{e}\" data-activation=\"{HtmlText.Number(example.Activation)}\" title=\"{HtmlText.Encode(Where(example))}\">")
                .Append($"<span class=\"ik-note\">{HtmlText.Number(example.Activation)}</span> <span class=\"ik-tokens\" style=\"display:inline-flex;border:0;padding:0\">");
            for (int i = 0; i < example.ContextTokens.Length; i++)
            {
                var token = HtmlText.Encode(HtmlText.Token(example.ContextTokens[i]));
                if (i == example.MarkedIndex)
                {
                    html.Append($"<span class=\"ik-tok ik-marked\" data-i=\"{i}\" style=\"background-color:{ColorScale.Diverging(example.Activation, limit)};color:{ColorScale.TextOn(example.Activation / limit)}\" ")
                        .Append($"title=\"{HtmlText.Encode(example.Token)} = {HtmlText.Number(example.Activation)}\">{token}</span>");
                }
                else
                {
                    html.Append($"<span class=\"ik-tok\" data-i=\"{i}\">{token}</span>");
                }
            }
            html.Append("</span></div>");
        }
        html.Append("</div>");
        return html.ToString();
    }

    private static string Where(ActivatingExample e) =>
        e.Line is { } line ? $"document {e.Document}, line {line}, position {e.Position}" : $"document {e.Document}, position {e.Position}";

    /// <inheritdoc />
    public string ToPlainText()
    {
        var text = new StringBuilder(Title).AppendLine();
        foreach (var e in Examples)
        {
            var context = string.Concat(e.ContextTokens.Select((t, i) => i == e.MarkedIndex ? $"[[{HtmlText.Token(t)}]]" : HtmlText.Token(t)));
            text.AppendLine($"{HtmlText.Number(e.Activation),10}  {context}  ({Where(e)})");
        }
        return text.ToString();
    }
}
