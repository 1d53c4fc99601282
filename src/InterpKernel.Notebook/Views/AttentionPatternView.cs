using System.Text;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// Attention patterns of several heads over one prompt: a grid of head thumbnails, one enlarged pattern with
/// query and key labels, and a token strip where hovering (or clicking, to pin) a token shades the tokens it
/// attends to, or those attending to it. Weights travel as bytes (probability × 255), and a causal pattern
/// sends only its lower triangle, so 1,024 tokens × 12 heads stay under 9 MB of HTML.
/// </summary>
public sealed record AttentionPatternView : IHtmlView
{
    /// <summary>Creates a view from weights laid out as <c>[head, query_pos, key_pos]</c> in one flat array.</summary>
    /// <param name="tokens">The prompt's tokens as text, one per position.</param>
    /// <param name="weights">Attention probabilities, <c>heads × tokens × tokens</c> values, head-major.</param>
    /// <param name="heads">Number of heads in <paramref name="weights"/>.</param>
    /// <param name="headLabels">One label per head such as "L1H3"; "H0", "H1", ... when omitted.</param>
    public AttentionPatternView(string[] tokens, float[] weights, int heads, string[]? headLabels = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(weights);
        if (tokens.Length == 0) throw new ArgumentException("the attention view needs at least one token.", nameof(tokens));
        if (heads <= 0) throw new ArgumentException($"heads must be positive, got {heads}.", nameof(heads));
        long expected = (long)heads * tokens.Length * tokens.Length;
        if (weights.LongLength != expected)
        {
            throw new ArgumentException(
                $"weights has {weights.LongLength} values but {heads} heads × {tokens.Length} tokens × {tokens.Length} tokens need {expected}: lay them out as [head, query_pos, key_pos].",
                nameof(weights));
        }
        headLabels ??= Enumerable.Range(0, heads).Select(h => $"H{h}").ToArray();
        if (headLabels.Length != heads)
        {
            throw new ArgumentException($"{headLabels.Length} head labels were given for {heads} heads: give one label per head.", nameof(headLabels));
        }
        Tokens = tokens;
        Weights = weights;
        Heads = heads;
        HeadLabels = headLabels;
    }

    /// <summary>The prompt's tokens as text.</summary>
    public string[] Tokens { get; }

    /// <summary>Attention probabilities laid out as <c>[head, query_pos, key_pos]</c>.</summary>
    public float[] Weights { get; }

    /// <summary>Number of heads.</summary>
    public int Heads { get; }

    /// <summary>One label per head, such as "L1H3".</summary>
    public string[] HeadLabels { get; }

    /// <summary>Optional heading shown above the view.</summary>
    public string? Title { get; init; }

    /// <summary>The weight with which <paramref name="query"/> attends to <paramref name="key"/> in <paramref name="head"/>.</summary>
    public float Weight(int head, int query, int key)
    {
        int n = Tokens.Length;
        if ((uint)head >= (uint)Heads || (uint)query >= (uint)n || (uint)key >= (uint)n)
        {
            throw new ArgumentOutOfRangeException(nameof(head), $"({head}, {query}, {key}) is outside {Heads} heads × {n} × {n} tokens.");
        }
        return Weights[((long)head * n + query) * n + key];
    }

    /// <summary>Creates a view from nested arrays indexed <c>[head][query_pos][key_pos]</c>.</summary>
    /// <param name="tokens">The prompt's tokens as text.</param>
    /// <param name="patterns">Attention probabilities per head, query and key.</param>
    /// <param name="headLabels">One label per head; "H0", "H1", ... when omitted.</param>
    public static AttentionPatternView FromJagged(string[] tokens, float[][][] patterns, string[]? headLabels = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(patterns);
        int n = tokens.Length;
        var flat = new float[(long)patterns.Length * n * n];
        for (int h = 0; h < patterns.Length; h++)
        {
            if (patterns[h].Length != n)
            {
                throw new ArgumentException($"head {h} has {patterns[h].Length} query rows but there are {n} tokens.", nameof(patterns));
            }
            for (int q = 0; q < n; q++)
            {
                if (patterns[h][q].Length != n)
                {
                    throw new ArgumentException($"head {h}, query {q} has {patterns[h][q].Length} key weights but there are {n} tokens.", nameof(patterns));
                }
                Array.Copy(patterns[h][q], 0, flat, ((long)h * n + q) * n, n);
            }
        }
        return new AttentionPatternView(tokens, flat, patterns.Length, headLabels);
    }

    /// <summary>
    /// Creates a view from a pattern tensor such as <c>blocks.{l}.attn.hook_pattern</c>: shape
    /// <c>[head_index, query_pos, key_pos]</c> or <c>[1, head_index, query_pos, key_pos]</c>. The values are
    /// copied, so the tensor may be disposed afterwards.
    /// </summary>
    /// <param name="pattern">The attention probabilities.</param>
    /// <param name="tokens">The prompt's tokens as text, one per position.</param>
    /// <param name="layer">When given, heads are labelled "L{layer}H{head}".</param>
    public static AttentionPatternView FromTensor(Tensor pattern, string[] tokens, int? layer = null)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(tokens);
        var shape = TensorData.Shape(pattern);
        if (shape.Length == 4 && shape[0] == 1) shape = shape[1..];
        if (shape.Length != 3 || shape[1] != tokens.Length || shape[2] != tokens.Length)
        {
            throw new ArgumentException(
                $"pattern has shape [{string.Join(", ", pattern.shape)}] but [head_index, {tokens.Length}, {tokens.Length}] (or with a batch of 1) was expected for {tokens.Length} tokens.",
                nameof(pattern));
        }
        int heads = (int)shape[0];
        var labels = Enumerable.Range(0, heads).Select(h => layer is int l ? $"L{l}H{h}" : $"H{h}").ToArray();
        return new AttentionPatternView(tokens, TensorData.ToFloats(pattern, nameof(pattern)), heads, labels);
    }

    /// <inheritdoc />
    public string ToHtml(string? idPrefix = null) => AttentionPatternRenderer.Render(this, ViewIds.Resolve(idPrefix));

    /// <inheritdoc />
    public string ToPlainText()
    {
        int n = Tokens.Length;
        var text = new StringBuilder();
        text.Append($"Attention patterns: {Heads} heads × {n} tokens");
        if (Title is not null) text.Append($" ({Title})");
        text.AppendLine();
        foreach (var h in Enumerable.Range(0, Math.Min(Heads, 16)))
        {
            // The strongest off-diagonal edges say more about a head than its mean.
            var top = Enumerable.Range(0, n)
                .SelectMany(q => Enumerable.Range(0, q).Select(k => (q, k, w: Weight(h, q, k))))
                .OrderByDescending(e => e.w).Take(3)
                .Select(e => $"{e.q}:{Quote(Tokens[e.q])}→{e.k}:{Quote(Tokens[e.k])} {e.w:0.00}");
            text.AppendLine($"  {HeadLabels[h]}: {string.Join(", ", top)}");
        }
        if (Heads > 16) text.AppendLine($"  … {Heads - 16} more heads");
        return text.ToString();
    }

    private static string Quote(string token) => "\"" + HtmlText.Token(token) + "\"";
}
