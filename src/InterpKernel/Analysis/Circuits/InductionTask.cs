using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// The induction task for circuit discovery: clean prompts are <see cref="RepeatedTokens.Generate"/> sequences (BOS,
/// <c>seqLen</c> tokens, the same tokens again); in the corrupted prompts the first copy is drawn afresh and the second
/// kept, so the queries agree while the keys an induction head looks for do not.
/// </summary>
/// <example>
/// <code>
/// var (clean, corrupt) = InductionTask.Prompts(model, seqLen: 20, batch: 16, seed: 1);
/// var metric = InductionTask.Metric(clean, seqLen: 20);
/// </code>
/// </example>
public static class InductionTask
{
    /// <summary>Clean and corrupted prompts <c>[batch, 1 + 2·seqLen]</c> on the model's device.</summary>
    public static (Tensor Clean, Tensor Corrupt) Prompts(HookedTransformer model, int seqLen = 20, int batch = 16, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        var clean = RepeatedTokens.Generate(model, seqLen, batch, seed);
        using var fresh = RepeatedTokens.Generate(model, seqLen, batch, seed + 7919);
        var corrupt = clean.clone();
        corrupt.narrow(1, 1, seqLen).copy_(fresh.narrow(1, 1, seqLen));
        return (clean, corrupt);
    }

    /// <summary>
    /// Per prompt, the mean log-probability of the true next token over the second copy (predicting tokens 2…seqLen
    /// of the copy, which induction can predict): logits <c>[batch, pos, d_vocab]</c> → <c>[batch]</c>.
    /// </summary>
    public static Func<Tensor, Tensor> Metric(Tensor cleanTokens, int seqLen)
    {
        ArgumentNullException.ThrowIfNull(cleanTokens);
        if (cleanTokens.dim() != 2 || cleanTokens.shape[1] != 2L * seqLen + 1)
            throw new ArgumentException(
                $"cleanTokens must be [batch, {2 * seqLen + 1}] (BOS + two copies of {seqLen}), but has shape [{string.Join(", ", cleanTokens.shape)}].",
                nameof(cleanTokens));
        if (seqLen < 2) throw new ArgumentException($"seqLen must be at least 2, got {seqLen}.", nameof(seqLen));
        var targets = cleanTokens.narrow(1, seqLen + 2, seqLen - 1).to(ScalarType.Int64).detach().DetachFromDisposeScope(); // [batch, seqLen - 1]
        return MetricWindows.Mark(logits =>
        {
            if (logits.dim() != 3 || logits.shape[0] != targets.shape[0])
                throw new ArgumentException(
                    $"the metric was built for {targets.shape[0]} prompts but got logits [{string.Join(", ", logits.shape)}].", nameof(logits));
            var lp = logits.narrow(1, seqLen + 1, seqLen - 1).to(ScalarType.Float32).log_softmax(-1); // [batch, seqLen - 1, d_vocab]
            return lp.gather(-1, targets.to(logits.device).unsqueeze(-1)).squeeze(-1).mean([1]);
        }, seqLen + 1, seqLen - 1);
    }
}
