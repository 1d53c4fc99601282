using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// The logit lens: unembed the residual stream after every layer as if it were the last, to see when the model
/// settles on its prediction. Each residual stream gets the final normalisation recomputed on itself; the last
/// row (<c>final_post</c>) is therefore exactly the model's own logits.
/// </summary>
/// <example>
/// <code>
/// using var lens = LogitLens.Run(model, model.ToTokens("And Abraham said unto"), model.ToSingleToken(" Isaac"));
/// Console.WriteLine(lens.TopTokenText[^1][^1][0]); // the model's top prediction at the last position
/// </code>
/// </example>
public static class LogitLens
{
    /// <summary>
    /// Logits of every accumulated residual stream in <paramref name="cache"/> (<see cref="ActivationCache.AccumulatedResid"/>):
    /// <c>[n_layers + 1, batch, pos, d_vocab]</c>. The cache needs every <c>hook_resid_pre</c> and the last <c>hook_resid_post</c>.
    /// </summary>
    public static Tensor Logits(ActivationCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        using var scope = NewDisposeScope();
        using var stack = cache.AccumulatedResid();
        var model = cache.Model;
        var normalised = NormMath.Apply(model, model.LnFinal, stack.Components, null, addBias: true);
        return model.Unembed.call(normalised).MoveToOuterDisposeScope(); // [layer, batch, pos, d_vocab]
    }

    /// <summary>Runs <paramref name="tokens"/> (one prompt) and reads the lens with the top <paramref name="topK"/> tokens and <paramref name="answerToken"/>.</summary>
    public static LogitLensResult Run(HookedTransformer model, Tensor tokens, int answerToken, int topK = 5)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (answerToken < 0 || answerToken >= model.Config.DVocab)
            throw new ArgumentOutOfRangeException(nameof(answerToken), answerToken, $"token ids lie in 0..{model.Config.DVocab - 1}.");
        return Compute(model, tokens, _ => answerToken, topK);
    }

    /// <summary>
    /// Like <see cref="Run(HookedTransformer, Tensor, int, int)"/>, with the model's own prediction at the last position (the top token of the
    /// <c>final_post</c> row) as the answer followed through the layers.
    /// </summary>
    public static LogitLensResult RunOnPrediction(HookedTransformer model, Tensor tokens, int topK = 5)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Compute(model, tokens, lens => (int)lens[-1, -1].argmax().item<long>(), topK);
    }

    static LogitLensResult Compute(HookedTransformer model, Tensor tokens, Func<Tensor, int> chooseAnswer, int topK)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.dim() == 2 && tokens.shape[0] != 1)
            throw new ArgumentException($"the logit lens reads one prompt, but tokens have batch {tokens.shape[0]}: pass tokens[i..(i+1)].", nameof(tokens));
        if (topK < 1 || topK > model.Config.DVocab)
            throw new ArgumentOutOfRangeException(nameof(topK), topK, $"topK must be between 1 and d_vocab ({model.Config.DVocab}).");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var names = new HashSet<string>(Enumerable.Range(0, model.Config.NLayers).Select(l => HookNames.Of("resid_pre", l)))
            { HookNames.Of("resid_post", model.Config.NLayers - 1) };
        var (logits, cache) = model.RunWithCache(tokens, names.Contains);
        Tensor lens;
        using (cache) lens = Logits(cache).select(1, 0).to(ScalarType.Float32); // [layer, pos, d_vocab]
        int answerToken = chooseAnswer(lens);
        var probs = lens.softmax(-1);
        var (topProbs, topIds) = probs.topk(topK, -1);
        var answerLogit = lens.narrow(-1, answerToken, 1); // [layer, pos, 1]
        var rank = (lens > answerLogit).sum(-1);            // [layer, pos]
        var answerProb = probs.select(-1, answerToken);

        int rows = (int)lens.shape[0], pos = (int)lens.shape[1];
        var labels = Enumerable.Range(0, rows - 1).Select(l => $"{l}_pre").Append("final_post").ToArray();
        var ids = topIds.cpu().data<long>().ToArray();
        var text = new string[rows][][];
        for (int r = 0; r < rows; r++)
        {
            text[r] = new string[pos][];
            for (int q = 0; q < pos; q++)
                text[r][q] = Enumerable.Range(0, topK).Select(k => TokenText(model, ids[(r * pos + q) * topK + k])).ToArray();
        }
        return new LogitLensResult(labels, ActivationPatching.PositionLabels(model, tokens),
            topIds.MoveToOuterDisposeScope(), text, topProbs.MoveToOuterDisposeScope(),
            TokenText(model, answerToken), answerProb.MoveToOuterDisposeScope(), rank.MoveToOuterDisposeScope());
    }

    /// <summary>The logit lens of row <paramref name="row"/> of a padded batch, over its real tokens only.</summary>
    public static LogitLensResult Run(HookedTransformer model, TokenBatch batch, int row, int answerToken, int topK = 5)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var ids = batch.Ids(row);
        using var tokens = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length], ScalarType.Int64);
        return Run(model, tokens, answerToken, topK);
    }

    static string TokenText(HookedTransformer model, long id)
    {
        if (model.Tokenizer is null) return id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var t = tensor(new[] { id });
        return model.ToStrTokens(t)[0];
    }
}
