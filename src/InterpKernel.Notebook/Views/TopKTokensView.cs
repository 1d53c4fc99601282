using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Views;

/// <summary>For every position of a prompt, the k most likely next tokens and their probabilities, as a table.</summary>
public sealed record TopKTokensView : IHtmlView
{
    /// <summary>Creates the view.</summary>
    /// <param name="tokens">The prompt's tokens as text, one per position.</param>
    /// <param name="topTokens">Per position, the predicted tokens from most to least likely.</param>
    /// <param name="probabilities">Per position, the probability of each predicted token.</param>
    public TopKTokensView(string[] tokens, string[][] topTokens, float[][] probabilities)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(topTokens);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (topTokens.Length != tokens.Length || probabilities.Length != tokens.Length)
        {
            throw new ArgumentException($"{tokens.Length} tokens need as many rows of predictions, got {topTokens.Length} token rows and {probabilities.Length} probability rows.", nameof(topTokens));
        }
        for (int i = 0; i < tokens.Length; i++)
        {
            if (topTokens[i].Length != probabilities[i].Length)
            {
                throw new ArgumentException($"position {i} has {topTokens[i].Length} predicted tokens but {probabilities[i].Length} probabilities.", nameof(probabilities));
            }
        }
        Tokens = tokens;
        TopTokens = topTokens;
        Probabilities = probabilities;
    }

    /// <summary>The prompt's tokens as text.</summary>
    public string[] Tokens { get; }

    /// <summary>Per position, the predicted tokens from most to least likely.</summary>
    public string[][] TopTokens { get; }

    /// <summary>Per position, the probability of each predicted token.</summary>
    public float[][] Probabilities { get; }

    /// <summary>Optional caption.</summary>
    public string? Title { get; init; }

    /// <summary>
    /// Creates the view from logits of shape <c>[pos, d_vocab]</c> or <c>[1, pos, d_vocab]</c>: softmax, then the
    /// <paramref name="k"/> largest probabilities per position.
    /// </summary>
    /// <param name="logits">The model's logits; they are not kept.</param>
    /// <param name="tokens">The prompt's tokens as text.</param>
    /// <param name="decode">Turns a token id into its text, such as the tokenizer's decode.</param>
    /// <param name="k">How many predictions to show per position.</param>
    public static TopKTokensView FromLogits(Tensor logits, string[] tokens, Func<int, string> decode, int k = 5)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(decode);
        var shape = TensorData.Shape(logits);
        if (shape.Length == 3 && shape[0] == 1) shape = shape[1..];
        if (shape.Length != 2 || shape[0] != tokens.Length)
        {
            throw new ArgumentException($"logits have shape [{string.Join(", ", logits.shape)}] but [{tokens.Length}, d_vocab] was expected for {tokens.Length} tokens.", nameof(logits));
        }
        if (k <= 0 || k > shape[1]) throw new ArgumentException($"k must be between 1 and the vocabulary size {shape[1]}, got {k}.", nameof(k));
        using var scope = torch.NewDisposeScope();
        var probs = logits.detach().reshape(shape[0], shape[1]).to(ScalarType.Float32).softmax(-1);
        var (values, indices) = probs.topk(k, dim: -1);
        var p = values.cpu().data<float>().ToArray();
        var ids = indices.cpu().to(ScalarType.Int64).data<long>().ToArray();
        var topTokens = new string[tokens.Length][];
        var topProbs = new float[tokens.Length][];
        for (int i = 0; i < tokens.Length; i++)
        {
            topTokens[i] = Enumerable.Range(0, k).Select(j => decode((int)ids[i * k + j])).ToArray();
            topProbs[i] = p.AsSpan(i * k, k).ToArray();
        }
        return new TopKTokensView(tokens, topTokens, topProbs);
    }

    /// <inheritdoc />
    public string ToHtml(string? idPrefix = null)
    {
        var id = ViewIds.Resolve(idPrefix);
        int k = TopTokens.Length == 0 ? 0 : TopTokens.Max(r => r.Length);
        var html = new StringBuilder(ViewAssets.StyleElement());
        html.Append($"<div class=\"ik-view ik-topk\" id=\"{id}-root\"><table class=\"ik-table\" id=\"{id}-table\">");
        if (Title is not null) html.Append($"<caption>{HtmlText.Encode(Title)}</caption>");
        html.Append("<thead><tr><th>pos</th><th>token</th>");
        for (int j = 0; j < k; j++) html.Append($"<th>#{j + 1}</th>");
        html.Append("</tr></thead><tbody>");
        for (int i = 0; i < Tokens.Length; i++)
        {
            html.Append($"<tr><td>{i}</td><td class=\"ik-text\">{HtmlText.Encode(HtmlText.Token(Tokens[i]))}</td>");
            for (int j = 0; j < k; j++)
            {
                if (j >= TopTokens[i].Length) { html.Append("<td></td>"); continue; }
                var p = Probabilities[i][j];
                html.Append($"<td class=\"ik-text\" data-p=\"{HtmlText.Number(p)}\" style=\"background-color:{ColorScale.Unit(p)};color:{ColorScale.TextOn(p)}\" title=\"p = {HtmlText.Number(p)}\">")
                    .Append($"{HtmlText.Encode(HtmlText.Token(TopTokens[i][j]))} ({p:0.000})</td>");
            }
            html.Append("</tr>");
        }
        html.Append("</tbody></table></div>");
        return html.ToString();
    }

    /// <inheritdoc />
    public string ToPlainText()
    {
        var text = new StringBuilder();
        if (Title is not null) text.AppendLine(Title);
        for (int i = 0; i < Tokens.Length; i++)
        {
            var predictions = TopTokens[i].Select((t, j) => $"{Quote(t)} {Probabilities[i][j]:0.000}");
            text.AppendLine($"{i,4} {Quote(Tokens[i]),-16} → {string.Join(", ", predictions)}");
        }
        return text.ToString();
    }

    private static string Quote(string token) => "\"" + HtmlText.Token(token) + "\"";
}
