using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Metrics for patching and ablation: each maps logits <c>[batch, pos, d_vocab]</c> to one value per batch
/// element <c>[batch]</c>.
/// </summary>
public static class Metrics
{
    // Metrics built here that read nothing but the last position's logits; patching then unembeds only that position.
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Func<Tensor, Tensor>, object> LastPositionOnly = new();

    static Func<Tensor, Tensor> MarkLastPositionOnly(Func<Tensor, Tensor> metric, bool lastOnly)
    {
        if (lastOnly) LastPositionOnly.AddOrUpdate(metric, metric);
        return metric;
    }

    /// <summary>Whether <paramref name="metric"/> is known to read only the logits at the last position.</summary>
    public static bool ReadsOnlyLastPosition(Func<Tensor, Tensor> metric) =>
        metric is not null && LastPositionOnly.TryGetValue(metric, out _);

    /// <summary>
    /// <c>logit(good) − logit(bad)</c> at <paramref name="position"/> (the last by default).
    /// </summary>
    /// <example><code>var metric = Metrics.LogitDiff(model.ToSingleToken(" Isaac"), model.ToSingleToken(" Jacob"));</code></example>
    public static Func<Tensor, Tensor> LogitDiff(int good, int bad, int position = -1) => MarkLastPositionOnly(logits =>
    {
        CheckLogits(logits);
        var last = logits.select(1, position); // [batch, d_vocab]
        return last.select(1, good) - last.select(1, bad);
    }, position == -1);

    /// <summary>
    /// <c>logit(good[b]) − logit(bad[b])</c> at <paramref name="position"/> with one answer pair per batch element
    /// (int64 <c>[batch]</c>), as in IOI-style datasets.
    /// </summary>
    public static Func<Tensor, Tensor> LogitDiff(Tensor good, Tensor bad, int position = -1)
    {
        ArgumentNullException.ThrowIfNull(good);
        ArgumentNullException.ThrowIfNull(bad);
        if (good.numel() != bad.numel())
            throw new ArgumentException($"good has {good.numel()} tokens but bad has {bad.numel()}: give one pair per batch element.", nameof(bad));
        var g = good.reshape(-1, 1).to(ScalarType.Int64).detach().DetachFromDisposeScope();
        var b = bad.reshape(-1, 1).to(ScalarType.Int64).detach().DetachFromDisposeScope();
        return MarkLastPositionOnly(logits =>
        {
            CheckLogits(logits);
            if (logits.shape[0] != g.shape[0])
                throw new ArgumentException($"the metric has {g.shape[0]} answer pairs but the logits have batch {logits.shape[0]}.", nameof(logits));
            var last = logits.select(1, position);
            return (last.gather(1, g.to(last.device)) - last.gather(1, b.to(last.device))).squeeze(1);
        }, position == -1);
    }

    /// <summary>
    /// A metric rescaled so the corrupted run scores 0 and the clean run 1:
    /// <c>(m − corrupted) / (clean − corrupted)</c>.
    /// </summary>
    public static Func<Tensor, Tensor> Normalized(Func<Tensor, Tensor> metric, double cleanValue, double corruptedValue)
    {
        ArgumentNullException.ThrowIfNull(metric);
        double span = cleanValue - corruptedValue;
        if (span == 0 || double.IsNaN(span))
            throw new ArgumentException(
                $"the clean and corrupted values are both {cleanValue}: the metric does not tell the runs apart, so it cannot be normalised.", nameof(cleanValue));
        return MarkLastPositionOnly(logits => (metric(logits) - corruptedValue) / span, ReadsOnlyLastPosition(metric));
    }

    /// <summary>
    /// The logit difference normalised to 0 on the corrupted prompt and 1 on the clean one (both measured here).
    /// </summary>
    /// <example><code>var metric = Metrics.NormalizedLogitDiff(model, clean, corrupt, isaac, jacob);</code></example>
    public static Func<Tensor, Tensor> NormalizedLogitDiff(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, int good, int bad, int position = -1)
    {
        var raw = LogitDiff(good, bad, position);
        return Normalized(raw, Evaluate(model, cleanTokens, raw), Evaluate(model, corruptTokens, raw));
    }

    /// <summary>
    /// Mean next-token cross-entropy per batch element <c>[batch]</c> of <paramref name="tokens"/> <c>[batch, pos]</c>
    /// (the loss of predicting token <c>t+1</c> at position <c>t</c>).
    /// </summary>
    public static Func<Tensor, Tensor> NextTokenLoss(Tensor tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var t = (tokens.dim() == 1 ? tokens.unsqueeze(0) : tokens).to(ScalarType.Int64).detach().DetachFromDisposeScope();
        if (t.shape[1] < 2) throw new ArgumentException("the loss needs at least two tokens per prompt.", nameof(tokens));
        return logits =>
        {
            CheckLogits(logits);
            if (logits.shape[0] != t.shape[0] || logits.shape[1] != t.shape[1])
                throw new ArgumentException(
                    $"the loss was built for tokens [{t.shape[0]}, {t.shape[1]}] but the logits are [{string.Join(", ", logits.shape)}].", nameof(logits));
            var logProbs = logits.narrow(1, 0, t.shape[1] - 1).to(ScalarType.Float32).log_softmax(-1); // [batch, pos - 1, d_vocab]
            var next = t.narrow(1, 1, t.shape[1] - 1).to(logits.device).unsqueeze(-1);
            return -logProbs.gather(-1, next).squeeze(-1).mean([1]);
        };
    }

    /// <summary>The metric of an unpatched forward pass, averaged over the batch.</summary>
    public static double Evaluate(HookedTransformer model, Tensor tokens, Func<Tensor, Tensor> metric)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metric);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return metric(model.Forward(tokens)).to(ScalarType.Float64).mean().item<double>();
    }

    static void CheckLogits(Tensor logits)
    {
        if (logits.dim() != 3)
            throw new ArgumentException($"a metric takes logits [batch, pos, d_vocab], but got shape [{string.Join(", ", logits.shape)}].", nameof(logits));
    }
}
