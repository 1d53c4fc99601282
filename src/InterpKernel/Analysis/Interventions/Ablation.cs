using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Ablation of heads, MLP layers and single neurons: zero, mean (over reference prompts) or resample, scoped or
/// measured against a metric such as <see cref="Metrics.NextTokenLoss"/>.
/// </summary>
/// <example>
/// <code>
/// using var tokens = model.ToTokens("In the beginning God created the heaven and the earth.");
/// var r = Ablation.Run(model, tokens, AblationTarget.Neurons(1, 42), AblationKind.Zero, Metrics.NextTokenLoss(tokens));
/// Console.WriteLine($"loss {r.Baseline:F3} -> {r.Ablated:F3}");
/// </code>
/// </example>
public static class Ablation
{
    /// <summary>
    /// Ablates <paramref name="target"/> in every forward pass until the returned scope is disposed. Mean and resample
    /// ablation read <paramref name="referenceTokens"/> <c>[batch, pos]</c> once, now; resample draws, for each prompt,
    /// one reference prompt (same token count) with <paramref name="seed"/>.
    /// </summary>
    public static IDisposable Apply(HookedTransformer model, AblationTarget target, AblationKind kind, Tensor? referenceTokens = null, int seed = 0) =>
        Apply(model, target, kind, referenceTokens, null, seed);

    /// <summary>
    /// Like <see cref="Apply(HookedTransformer, AblationTarget, AblationKind, Tensor?, int)"/> with padded reference
    /// prompts: the mean is taken over their real tokens only (pads never enter it). Resample ablation needs
    /// reference prompts without pads.
    /// </summary>
    /// <example><code>using (Ablation.Apply(model, AblationTarget.Head(1, 4), AblationKind.Mean, model.ToTokens(verses))) { … }</code></example>
    public static IDisposable Apply(HookedTransformer model, AblationTarget target, AblationKind kind, TokenBatch reference, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (kind == AblationKind.Resample && reference.Lengths.Any(l => l != reference.Width))
            throw new ArgumentException("resample ablation draws whole reference prompts, so they must all have the run's length: give reference prompts without pads.", nameof(reference));
        return Apply(model, target, kind, reference.Tokens, reference.AttentionMask, seed);
    }

    static IDisposable Apply(HookedTransformer model, AblationTarget target, AblationKind kind, Tensor? referenceTokens, Tensor? referenceMask, int seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(target);
        target.Validate(model, nameof(target));
        model.GetHookPoint(target.HookName);
        Tensor? reference = null;
        if (kind != AblationKind.Zero)
        {
            if (referenceTokens is null)
                throw new ArgumentException($"{kind} ablation needs referenceTokens: the prompts whose activations replace the ablated ones.", nameof(referenceTokens));
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var acts = PatchRunner.Capture(model, referenceTokens, new[] { target.HookName }, out _, referenceMask);
            var a = acts[target.HookName];
            reference = (kind == AblationKind.Mean ? MeanOverTokens(a, referenceMask) : a.clone()).DetachFromDisposeScope();
        }
        var generator = new Random(seed);
        HookFunction hook = (act, h) =>
        {
            if (act.dim() < 2)
                throw new InvalidOperationException($"'{h.Name}' is not shaped [batch, pos, …], so it cannot be ablated.");
            var index = new TensorIndex[] { TensorIndex.Colon, TensorIndex.Colon }.Concat(target.Index).ToArray();
            var replaced = act.clone();
            switch (kind)
            {
                case AblationKind.Zero:
                    replaced.index_put_(zeros_like(act).index(index), index);
                    break;
                case AblationKind.Mean:
                    replaced.index_put_(reference!.to(act.dtype).expand_as(act).index(index), index);
                    break;
                default:
                    if (reference!.shape[1] != act.shape[1])
                        throw new InvalidOperationException(
                            $"resample ablation at '{h.Name}': the reference prompts have {reference.shape[1]} tokens but the run has {act.shape[1]}; give reference prompts of the same length.");
                    var rows = Enumerable.Range(0, (int)act.shape[0]).Select(_ => (long)generator.Next((int)reference.shape[0])).ToArray();
                    var drawn = reference.index_select(0, tensor(rows, device: reference.device)).to(act.dtype);
                    replaced.index_put_(drawn.index(index), index);
                    break;
            }
            return replaced;
        };
        var scopeHandle = model.Hooks((target.HookName, hook));
        return new Releaser(scopeHandle, reference);
    }

    /// <summary>The metric of <paramref name="tokens"/> without and with the ablation, averaged over the batch.</summary>
    public static AblationResult Run(HookedTransformer model, Tensor tokens, AblationTarget target, AblationKind kind, Func<Tensor, Tensor> metric,
                                     Tensor? referenceTokens = null, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(target);
        double baseline = Metrics.Evaluate(model, tokens, metric);
        double ablated;
        using (Apply(model, target, kind, referenceTokens, seed)) ablated = Metrics.Evaluate(model, tokens, metric);
        return new AblationResult(target.Label, kind, baseline, ablated);
    }

    /// <summary>The metric with each head ablated in turn: <c>[n_layers, n_heads]</c>.</summary>
    public static Tensor HeadSweep(HookedTransformer model, Tensor tokens, AblationKind kind, Func<Tensor, Tensor> metric,
                                   Tensor? referenceTokens = null, int seed = 0, IProgress<PatchingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        int layers = model.Config.NLayers, heads = model.Config.NHeads;
        var values = new float[layers * heads];
        for (int l = 0; l < layers; l++)
            for (int h = 0; h < heads; h++)
            {
                using (Apply(model, AblationTarget.Head(l, h), kind, referenceTokens, seed))
                    values[l * heads + h] = (float)Metrics.Evaluate(model, tokens, metric);
                progress?.Report(new PatchingProgress(l * heads + h + 1, layers * heads));
            }
        return tensor(values).reshape(layers, heads);
    }

    // The mean over batch and position [1, 1, ...], over real tokens only when a mask is given.
    static Tensor MeanOverTokens(Tensor act, Tensor? mask)
    {
        if (mask is null) return act.mean([0, 1], keepdim: true);
        var real = mask.to(act.device).ne(0);
        var rows = act.flatten(0, 1).index(new[] { TensorIndex.Tensor(real.flatten()) }); // [real tokens, ...]
        return rows.mean([0]).unsqueeze(0).unsqueeze(0);
    }

    sealed class Releaser(IDisposable hooks, Tensor? reference) : IDisposable
    {
        public void Dispose()
        {
            hooks.Dispose();
            reference?.Dispose();
        }
    }
}
