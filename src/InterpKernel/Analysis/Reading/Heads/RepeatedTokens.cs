using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Repeated random-token sequences <c>[BOS, x₁…x_S, x₁…x_S]</c>, the standard probe for induction heads, and the
/// in-context loss curve over them (the second copy is predictable only by looking back at the first).
/// </summary>
/// <remarks>
/// Tokens are drawn from those the tokenizer produces for a built-in passage of ordinary English prose, so their
/// embeddings were trained; within one sequence they are drawn without replacement while the pool allows, so every
/// token of the second copy has exactly one earlier occurrence. A model without a tokenizer draws uniformly from
/// its vocabulary (excluding BOS).
/// </remarks>
/// <example>
/// <code>
/// var curve = RepeatedTokens.LossCurve(model, seqLen: 40, batch: 4, seed: 1);
/// Console.WriteLine($"{curve.FirstCopyLoss:F2} -> {curve.SecondCopyLoss:F2}");
/// </code>
/// </example>
public static class RepeatedTokens
{
    const string OrdinaryText =
        "The morning train was late again, so most of the people on the platform read their papers or looked at the " +
        "clouds over the hills. A small boy asked his mother why the birds flew south every year, and she told him that " +
        "they follow the warm weather, the long days and the food they need. Near the gate an old man sold apples, bread, " +
        "honey and fresh milk from a wooden cart. When the train finally came, everyone hurried to find a seat by the " +
        "window. The city was two hours away, past rivers, fields of wheat, quiet villages, a stone bridge and a great " +
        "forest where deer sometimes stood at the edge of the road. Some travellers slept; others talked about work, " +
        "money, children, music, the price of land, the war in the north and the king who had come to power last spring. " +
        "A woman wrote a letter to her brother, promising to visit him before winter. Soon the sun rose higher, the light " +
        "turned gold, and the long journey felt shorter than anyone had feared. At the station a band played, horses " +
        "waited with their carts, and friends called out names across the crowded square.";

    /// <summary>
    /// <paramref name="batch"/> sequences <c>[batch, 1 + 2·seqLen]</c> (int64, on the model's device): BOS, then
    /// <paramref name="seqLen"/> random tokens, then the same tokens again.
    /// </summary>
    public static Tensor Generate(HookedTransformer model, int seqLen = 50, int batch = 8, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (seqLen < 1) throw new ArgumentException($"seqLen must be at least 1, got {seqLen}.", nameof(seqLen));
        if (batch < 1) throw new ArgumentException($"batch must be at least 1, got {batch}.", nameof(batch));
        if (2L * seqLen + 1 > model.Config.NCtx)
            throw new ArgumentException(
                $"Two copies of {seqLen} tokens plus BOS need {2 * seqLen + 1} positions, more than the model's context of {model.Config.NCtx}: " +
                $"use seqLen ≤ {(model.Config.NCtx - 1) / 2}.", nameof(seqLen));
        var pool = Pool(model);
        var rng = seed is { } s ? new Random(s) : new Random();
        long bos = model.Tokenizer?.BosTokenId ?? model.Config.BosTokenId ?? 0;
        int width = 2 * seqLen + 1;
        var flat = new long[batch * width];
        for (int b = 0; b < batch; b++)
        {
            var draw = Draw(pool, seqLen, rng);
            flat[b * width] = bos;
            for (int i = 0; i < seqLen; i++)
                flat[b * width + 1 + i] = flat[b * width + 1 + seqLen + i] = draw[i];
        }
        return OnDevice.Move(tensor(flat, [batch, width], ScalarType.Int64), model.Device);
    }

    /// <summary>The in-context loss curve on freshly generated repeated tokens (see <see cref="Generate"/>).</summary>
    public static InContextLossCurve LossCurve(HookedTransformer model, int seqLen = 50, int batch = 8, int? seed = null)
    {
        using var tokens = Generate(model, seqLen, batch, seed);
        return LossCurve(model, tokens, seqLen);
    }

    /// <summary>
    /// The in-context loss curve on given repeated tokens <c>[batch, 1 + 2·seqLen]</c>; hooks attached to the model
    /// (an ablation, say) are in effect.
    /// </summary>
    public static InContextLossCurve LossCurve(HookedTransformer model, Tensor repeatedTokens, int seqLen)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(repeatedTokens);
        if (repeatedTokens.dim() != 2 || repeatedTokens.shape[1] != 2L * seqLen + 1)
            throw new ArgumentException(
                $"repeatedTokens must be [batch, {2 * seqLen + 1}] (BOS + two copies of {seqLen}), but has shape [{string.Join(", ", repeatedTokens.shape)}].",
                nameof(repeatedTokens));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var tokens = repeatedTokens.to(model.Device);
        var logits = model.Forward(tokens).to(ScalarType.Float32);               // [batch, pos, d_vocab]
        var logProbs = logits[.., ..^1].log_softmax(-1);
        var next = tokens[.., 1..].unsqueeze(-1);
        var loss = -logProbs.gather(-1, next).squeeze(-1);                         // [batch, pos - 1]
        var perPosition = loss.mean([0]).cpu().data<float>().ToArray();
        // perPosition[i] is the loss of predicting token i + 1: the first copy is tokens 1…S, the second S+1…2S.
        double first = perPosition.Take(seqLen).Average();
        double second = perPosition.Skip(seqLen).Average();
        return new InContextLossCurve(perPosition, first, second, seqLen);
    }

    static long[] Pool(HookedTransformer model)
    {
        var tok = model.Tokenizer;
        if (tok is null)
        {
            long bos = model.Config.BosTokenId ?? -1;
            return Enumerable.Range(0, model.Config.DVocab).Select(i => (long)i).Where(i => i != bos).ToArray();
        }
        var special = tok.SpecialTokens.Values.ToHashSet();
        return tok.Encode(OrdinaryText, prependBos: false).Where(i => !special.Contains(i) && i < model.Config.DVocab)
            .Distinct().Select(i => (long)i).ToArray();
    }

    static long[] Draw(long[] pool, int count, Random rng)
    {
        if (pool.Length >= count)
        {
            var copy = (long[])pool.Clone();
            rng.Shuffle(copy);
            return copy[..count];
        }
        return Enumerable.Range(0, count).Select(_ => pool[rng.Next(pool.Length)]).ToArray();
    }
}
