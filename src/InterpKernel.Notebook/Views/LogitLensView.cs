using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// The logit lens as a grid: one row per layer, one column per position; each cell shows the most likely
/// token read off that layer's residual stream, on a background as dark as its probability.
/// </summary>
public sealed record LogitLensView : IHtmlView
{
    /// <summary>Creates the view.</summary>
    /// <param name="layerLabels">One label per row, such as "L0" or "embed".</param>
    /// <param name="tokens">The prompt's tokens as text, one per column.</param>
    /// <param name="topTokens">Per layer and position, the most likely token.</param>
    /// <param name="probabilities">Per layer and position, that token's probability.</param>
    public LogitLensView(string[] layerLabels, string[] tokens, string[][] topTokens, float[][] probabilities)
    {
        ArgumentNullException.ThrowIfNull(layerLabels);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(topTokens);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (topTokens.Length != layerLabels.Length || probabilities.Length != layerLabels.Length)
        {
            throw new ArgumentException($"{layerLabels.Length} layer labels need as many rows, got {topTokens.Length} token rows and {probabilities.Length} probability rows.", nameof(topTokens));
        }
        for (int l = 0; l < layerLabels.Length; l++)
        {
            if (topTokens[l].Length != tokens.Length || probabilities[l].Length != tokens.Length)
            {
                throw new ArgumentException($"row {layerLabels[l]} has {topTokens[l].Length} tokens and {probabilities[l].Length} probabilities but the prompt has {tokens.Length} positions.", nameof(topTokens));
            }
        }
        LayerLabels = layerLabels;
        Tokens = tokens;
        TopTokens = topTokens;
        Probabilities = probabilities;
    }

    /// <summary>One label per row.</summary>
    public string[] LayerLabels { get; }

    /// <summary>The prompt's tokens as text.</summary>
    public string[] Tokens { get; }

    /// <summary>Per layer and position, the most likely token.</summary>
    public string[][] TopTokens { get; }

    /// <summary>Per layer and position, that token's probability.</summary>
    public float[][] Probabilities { get; }

    /// <summary>Optional caption.</summary>
    public string? Title { get; init; }

    /// <summary>The answer token tracked through the layers, or null when none is shown; see <see cref="WithAnswer"/>.</summary>
    public string? Answer { get; private init; }

    /// <summary>Per layer and position, the answer's probability (null without an answer).</summary>
    public float[][]? AnswerProbabilities { get; private init; }

    /// <summary>Per layer and position, the answer's rank, 0 when it is the top token (null without an answer).</summary>
    public int[][]? AnswerRanks { get; private init; }

    /// <summary>
    /// The same grid with an answer token tracked through it: each cell's hover names the answer's probability and
    /// rank, and a second grid shows the answer's probability per layer and position.
    /// </summary>
    /// <param name="answer">The answer token as text.</param>
    /// <param name="probabilities">Per layer and position, the answer's probability.</param>
    /// <param name="ranks">Per layer and position, the answer's rank (0 = top token).</param>
    public LogitLensView WithAnswer(string answer, float[][] probabilities, int[][] ranks)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(ranks);
        if (probabilities.Length != LayerLabels.Length || ranks.Length != LayerLabels.Length
            || probabilities.Any(r => r.Length != Tokens.Length) || ranks.Any(r => r.Length != Tokens.Length))
        {
            throw new ArgumentException($"the answer's probabilities and ranks need {LayerLabels.Length} rows of {Tokens.Length} values, one per layer and position, like the grid.", nameof(probabilities));
        }
        return this with { Answer = answer, AnswerProbabilities = probabilities, AnswerRanks = ranks };
    }

    /// <summary>
    /// Creates the view from logits of shape <c>[layer, pos, d_vocab]</c> (the unembedded residual stream of
    /// each layer): softmax, then the most likely token per cell.
    /// </summary>
    /// <param name="logits">Per-layer logits; they are not kept.</param>
    /// <param name="tokens">The prompt's tokens as text.</param>
    /// <param name="decode">Turns a token id into its text.</param>
    /// <param name="layerLabels">Row labels; "L0", "L1", ... when omitted.</param>
    public static LogitLensView FromLogits(Tensor logits, string[] tokens, Func<int, string> decode, string[]? layerLabels = null)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(decode);
        if (logits.dim() != 3 || logits.shape[1] != tokens.Length)
        {
            throw new ArgumentException($"logits have shape [{string.Join(", ", logits.shape)}] but [layer, {tokens.Length}, d_vocab] was expected.", nameof(logits));
        }
        int layers = (int)logits.shape[0], n = tokens.Length;
        using var scope = torch.NewDisposeScope();
        var (values, indices) = logits.detach().to(ScalarType.Float32).softmax(-1).max(-1);
        var p = values.cpu().contiguous().data<float>().ToArray();
        var ids = indices.cpu().to(ScalarType.Int64).contiguous().data<long>().ToArray();
        var top = new string[layers][];
        var probs = new float[layers][];
        for (int l = 0; l < layers; l++)
        {
            top[l] = Enumerable.Range(0, n).Select(i => decode((int)ids[l * n + i])).ToArray();
            probs[l] = p.AsSpan(l * n, n).ToArray();
        }
        layerLabels ??= Enumerable.Range(0, layers).Select(l => $"L{l}").ToArray();
        return new LogitLensView(layerLabels, tokens, top, probs);
    }

    /// <inheritdoc />
    public string ToHtml(string? idPrefix = null)
    {
        var id = ViewIds.Resolve(idPrefix);
        var html = new StringBuilder(ViewAssets.StyleElement());
        html.Append($"<div class=\"ik-view ik-lens\" id=\"{id}-root\"><table class=\"ik-table ik-lens\" id=\"{id}-table\">");
        if (Title is not null) html.Append($"<caption>{HtmlText.Encode(Title)}</caption>");
        html.Append("<thead><tr><th>layer</th>");
        for (int i = 0; i < Tokens.Length; i++) html.Append($"<th title=\"position {i}\">{HtmlText.Encode(HtmlText.Token(Tokens[i]))}</th>");
        html.Append("</tr></thead><tbody>");
        for (int l = 0; l < LayerLabels.Length; l++)
        {
            html.Append($"<tr><th>{HtmlText.Encode(LayerLabels[l])}</th>");
            for (int i = 0; i < Tokens.Length; i++)
            {
                var p = Probabilities[l][i];
                html.Append($"<td data-p=\"{HtmlText.Number(p)}\" style=\"background-color:{ColorScale.Unit(p)};color:{ColorScale.TextOn(p)}\" ")
                    .Append($"title=\"{HtmlText.Encode(LayerLabels[l])}, position {i}: {HtmlText.Encode(TopTokens[l][i])} p = {HtmlText.Number(p)}{HtmlText.Encode(AnswerNote(l, i))}\">")
                    .Append(HtmlText.Encode(HtmlText.Token(TopTokens[l][i]))).Append("</td>");
            }
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
        if (Answer is not null) AppendAnswerGrid(html, id);
        html.Append("</div>");
        return html.ToString();
    }

    private string AnswerNote(int layer, int position) => Answer is null
        ? ""
        : $"\nanswer {HtmlText.Token(Answer)}: p = {HtmlText.Number(AnswerProbabilities![layer][position])}, rank {AnswerRanks![layer][position]}";

    /// <summary>The answer's probability per cell, with its rank, so one can read off the layer where it takes over.</summary>
    private void AppendAnswerGrid(StringBuilder html, string id)
    {
        html.Append($"<table class=\"ik-table ik-lens ik-answer\" id=\"{id}-answer\"><caption>P({HtmlText.Encode(HtmlText.Token(Answer!))}) and its rank</caption>");
        html.Append("<thead><tr><th>layer</th>");
        for (int i = 0; i < Tokens.Length; i++) html.Append($"<th title=\"position {i}\">{HtmlText.Encode(HtmlText.Token(Tokens[i]))}</th>");
        html.Append("</tr></thead><tbody>");
        for (int l = 0; l < LayerLabels.Length; l++)
        {
            html.Append($"<tr><th>{HtmlText.Encode(LayerLabels[l])}</th>");
            for (int i = 0; i < Tokens.Length; i++)
            {
                var p = AnswerProbabilities![l][i];
                var rank = AnswerRanks![l][i];
                html.Append($"<td data-p=\"{HtmlText.Number(p)}\" data-rank=\"{rank}\" style=\"background-color:{ColorScale.Unit(p)};color:{ColorScale.TextOn(p)}\" ")
                    .Append($"title=\"{HtmlText.Encode(LayerLabels[l])}, position {i}: p = {HtmlText.Number(p)}, rank {rank}\">")
                    .Append($"{p:0.00} #{rank}</td>");
            }
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
    }

    /// <inheritdoc />
    public string ToPlainText()
    {
        var text = new StringBuilder();
        if (Title is not null) text.AppendLine(Title);
        text.AppendLine("layer | " + string.Join(" | ", Tokens.Select(HtmlText.Token)));
        for (int l = 0; l < LayerLabels.Length; l++)
        {
            text.AppendLine($"{LayerLabels[l]} | " + string.Join(" | ", TopTokens[l].Select((t, i) => $"{HtmlText.Token(t)} ({Probabilities[l][i]:0.00})")));
        }
        if (Answer is not null)
        {
            text.AppendLine($"P({HtmlText.Token(Answer)}) and rank:");
            for (int l = 0; l < LayerLabels.Length; l++)
            {
                text.AppendLine($"{LayerLabels[l]} | " + string.Join(" | ", AnswerProbabilities![l].Select((p, i) => $"{p:0.00} #{AnswerRanks![l][i]}")));
            }
        }
        return text.ToString();
    }
}
