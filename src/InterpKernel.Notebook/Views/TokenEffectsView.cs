using System.Text;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// The tokens a direction promotes and suppresses when written to the residual stream (a neuron's output weights or
/// an SAE feature's decoder row through the unembedding), as two tables side by side.
/// </summary>
public sealed record TokenEffectsView : IHtmlView
{
    /// <summary>Creates the view.</summary>
    /// <param name="title">What the direction is, such as "L1 neuron 42: direct logit effect".</param>
    /// <param name="promoted">Tokens whose logits rise most, largest first.</param>
    /// <param name="suppressed">Tokens whose logits fall most, most negative first.</param>
    public TokenEffectsView(string title, TokenScore[] promoted, TokenScore[] suppressed)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(promoted);
        ArgumentNullException.ThrowIfNull(suppressed);
        Title = title;
        Promoted = promoted;
        Suppressed = suppressed;
    }

    /// <summary>What the direction is.</summary>
    public string Title { get; }

    /// <summary>Tokens whose logits rise most.</summary>
    public TokenScore[] Promoted { get; }

    /// <summary>Tokens whose logits fall most.</summary>
    public TokenScore[] Suppressed { get; }

    /// <inheritdoc />
    public string ToHtml(string? idPrefix = null)
    {
        var id = ViewIds.Resolve(idPrefix);
        var html = new StringBuilder(ViewAssets.StyleElement());
        html.Append($"<div class=\"ik-view ik-token-effects\" id=\"{id}-root\"><div class=\"ik-title\">{HtmlText.Encode(Title)}</div><div class=\"ik-columns\">");
        AppendScores(html, id + "-promoted", "Promoted tokens", Promoted);
        AppendScores(html, id + "-suppressed", "Suppressed tokens", Suppressed);
        html.Append("</div></div>");
        return html.ToString();
    }

    /// <summary>One table of tokens and scores, each score cell shaded on one scale for both tables of a view.</summary>
    internal static void AppendScores(StringBuilder html, string id, string caption, TokenScore[] scores)
    {
        double limit = ColorScale.SymmetricLimit(scores.Select(s => s.Score));
        html.Append($"<table class=\"ik-table\" id=\"{id}\"><caption>{HtmlText.Encode(caption)}</caption><thead><tr><th>token</th><th>score</th></tr></thead><tbody>");
        foreach (var s in scores)
        {
            html.Append($"<tr><td class=\"ik-text\">{HtmlText.Encode(HtmlText.Token(s.Token))}</td>")
                .Append($"<td data-score=\"{HtmlText.Number(s.Score)}\" style=\"background-color:{ColorScale.Diverging(s.Score, limit)};color:{ColorScale.TextOn(s.Score / limit)}\">{HtmlText.Number(s.Score)}</td></tr>");
        }
        html.Append("</tbody></table>");
    }

    /// <inheritdoc />
    public string ToPlainText()
    {
        var text = new StringBuilder(Title).AppendLine();
        text.AppendLine("promoted: " + string.Join(", ", Promoted.Select(s => $"\"{HtmlText.Token(s.Token)}\" {HtmlText.Number(s.Score)}")));
        text.AppendLine("suppressed: " + string.Join(", ", Suppressed.Select(s => $"\"{HtmlText.Token(s.Token)}\" {HtmlText.Number(s.Score)}")));
        return text.ToString();
    }
}
