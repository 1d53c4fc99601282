using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// The QK and OV circuits of attention heads as <see cref="FactoredMatrix"/>es, in the row-vector convention of
/// TransformerLens: a head's attention score is <c>x_q W_Q W_Kᵀ x_kᵀ</c> and what it writes is <c>x W_V W_O</c>.
/// </summary>
/// <remarks>
/// Raw weights are used: LayerNorm scales and biases are not folded in and biases are ignored, the usual practice
/// for circuit analysis of GPT-2-style models. Grouped-query models map each query head to its key/value head.
/// </remarks>
/// <example>
/// <code>
/// using var qk = HeadCircuits.QK(model, 1);   // [n_heads, d_model, d_model]
/// using var ov = HeadCircuits.FullOV(model, 1, 4); // [d_vocab, d_vocab]
/// </code>
/// </example>
public static class HeadCircuits
{
    /// <summary><c>W_Q W_Kᵀ</c> per head of <paramref name="layer"/>: <c>[n_heads, d_model, d_model]</c>.</summary>
    public static FactoredMatrix QK(HookedTransformer model, int layer)
    {
        using var scope = NewDisposeScope();
        var (wq, wk, _, _) = Weights(model, layer);
        return new FactoredMatrix(wq, wk.transpose(-1, -2));
    }

    /// <summary><c>W_V W_O</c> per head of <paramref name="layer"/>: <c>[n_heads, d_model, d_model]</c>.</summary>
    public static FactoredMatrix OV(HookedTransformer model, int layer)
    {
        using var scope = NewDisposeScope();
        var (_, _, wv, wo) = Weights(model, layer);
        return new FactoredMatrix(wv, wo);
    }

    /// <summary>The full OV circuit <c>W_E W_V W_O W_U</c> of one head: <c>[d_vocab, d_vocab]</c>, row = source token, column = logit.</summary>
    public static FactoredMatrix FullOV(HookedTransformer model, int layer, int head)
    {
        using var scope = NewDisposeScope();
        var (_, _, wv, wo) = Weights(model, layer);
        CheckHead(model, head);
        return new FactoredMatrix(Embedding(model).matmul(wv[head]), wo[head].matmul(Unembedding(model)));
    }

    /// <summary>The full QK circuit <c>W_E W_Q W_Kᵀ W_Eᵀ</c> of one head: <c>[d_vocab, d_vocab]</c>, row = query token, column = key token.</summary>
    public static FactoredMatrix FullQK(HookedTransformer model, int layer, int head)
    {
        using var scope = NewDisposeScope();
        var (wq, wk, _, _) = Weights(model, layer);
        CheckHead(model, head);
        return new FactoredMatrix(Embedding(model).matmul(wq[head]), wk[head].transpose(0, 1).matmul(Embedding(model).transpose(0, 1)));
    }

    /// <summary>
    /// The positional QK circuit <c>W_pos W_Q W_Kᵀ W_posᵀ</c> of one head: <c>[n_ctx, n_ctx]</c>, row = query
    /// position, column = key position. A previous-token head shows large values just below the diagonal.
    /// </summary>
    public static FactoredMatrix PositionalQK(HookedTransformer model, int layer, int head)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.PosEmbed is null)
            throw new InvalidOperationException("This model uses rotary position embeddings and has no W_pos: a positional QK circuit needs learned positions.");
        using var scope = NewDisposeScope();
        var (wq, wk, _, _) = Weights(model, layer);
        CheckHead(model, head);
        var wPos = model.PosEmbed.WPos.to(ScalarType.Float32);
        return new FactoredMatrix(wPos.matmul(wq[head]), wk[head].transpose(0, 1).matmul(wPos.transpose(0, 1)));
    }

    /// <summary>
    /// The mean, over query positions 1…<paramref name="positions"/>−1, of the softmax (over keys ≤ q) of the
    /// positional QK scores at key <c>q − 1</c>, scaled by <c>1/sqrt(d_head)</c>: how strongly a head's positional
    /// circuit alone points at the previous token.
    /// </summary>
    public static Tensor PositionalPreviousTokenScore(HookedTransformer model, int layer, int positions = 64)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (positions < 2 || positions > model.Config.NCtx)
            throw new ArgumentException($"positions must be 2 to {model.Config.NCtx} (n_ctx), got {positions}.", nameof(positions));
        using var scope = NewDisposeScope();
        var scores = new Tensor[model.Config.NHeads];
        for (int h = 0; h < model.Config.NHeads; h++)
        {
            using var qk = PositionalQK(model, layer, h);
            var dense = qk.A[..positions].matmul(qk.B[.., ..positions]) / Math.Sqrt(model.Config.DHead); // [q, k]
            var causal = ones(positions, positions, ScalarType.Bool, dense.device).triu(1);
            var pattern = dense.masked_fill(causal, double.NegativeInfinity).softmax(-1).unsqueeze(0).unsqueeze(0);
            scores[h] = HeadDetectors.ScorePreviousToken(pattern)[0];
        }
        return stack(scores).MoveToOuterDisposeScope();
    }

    internal static (Tensor WQ, Tensor WK, Tensor WV, Tensor WO) Weights(HookedTransformer model, int layer)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (layer < 0 || layer >= model.Config.NLayers)
            throw new ArgumentOutOfRangeException(nameof(layer), layer,
                $"layer {layer} does not exist: the model has {model.Config.NLayers} layers (0 to {model.Config.NLayers - 1}).");
        var attn = model.Blocks[layer].Attn;
        Tensor wk = attn.WK, wv = attn.WV;
        int group = model.Config.NHeads / model.Config.KeyValueHeads;
        if (group > 1)
        {
            wk = wk.repeat_interleave(group, 0);
            wv = wv.repeat_interleave(group, 0);
        }
        return (attn.WQ.to(ScalarType.Float32), wk.to(ScalarType.Float32), wv.to(ScalarType.Float32), attn.WO.to(ScalarType.Float32));
    }

    internal static Tensor Embedding(HookedTransformer model) => model.W_E.to(ScalarType.Float32);

    internal static Tensor Unembedding(HookedTransformer model) => model.W_U.to(ScalarType.Float32);

    internal static void CheckHead(HookedTransformer model, int head)
    {
        if (head < 0 || head >= model.Config.NHeads)
            throw new ArgumentOutOfRangeException(nameof(head), head,
                $"head {head} does not exist: each layer has {model.Config.NHeads} heads (0 to {model.Config.NHeads - 1}).");
    }
}
