using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Attribution patching: a linear estimate of every activation patch at once from one clean forward and one
/// corrupted forward + backward, instead of one forward per patch.
/// </summary>
/// <example>
/// <code>
/// using var attr = AttributionPatching.Run(model, clean, corrupt, metric);
/// using var heads = attr.HeadOut(); // [n_layers, n_heads], compare with ActivationPatching.HeadOut
/// </code>
/// </example>
public static class AttributionPatching
{
    /// <summary>The hooks estimated by default: the residual stream, attention and MLP outputs, and each head's <c>hook_z</c>.</summary>
    public static bool DefaultHooks(string hookName)
    {
        ArgumentNullException.ThrowIfNull(hookName);
        return hookName.EndsWith(".hook_resid_pre", StringComparison.Ordinal) || hookName.EndsWith(".hook_resid_mid", StringComparison.Ordinal)
            || hookName.EndsWith(".hook_resid_post", StringComparison.Ordinal) || hookName.EndsWith(".hook_attn_out", StringComparison.Ordinal)
            || hookName.EndsWith(".hook_mlp_out", StringComparison.Ordinal) || hookName.EndsWith(".attn.hook_z", StringComparison.Ordinal);
    }

    /// <summary>
    /// Estimates for every element of every hook passing <paramref name="names"/> (<see cref="DefaultHooks"/> when null).
    /// </summary>
    public static AttributionPatchingResult Run(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric,
                                                Func<string, bool>? names = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metric);
        var hookNames = model.HookNames.Where(names ?? DefaultHooks).ToList();
        if (hookNames.Count == 0)
            throw new ArgumentException("the names filter matches no hook of this model: see model.HookNames.", nameof(names));
        using var scope = NewDisposeScope();
        var (clean, corrupt) = PatchRunner.CheckPair(model, cleanTokens, corruptTokens);
        double cleanMetric;
        TensorStore cleanActs;
        using (no_grad())
        {
            cleanActs = PatchRunner.Capture(model, clean, hookNames, out var cleanLogits);
            cleanMetric = PatchRunner.MeanMetric(metric, cleanLogits);
        }
        using (cleanActs)
        {
            // One corrupted forward and backward through the model's gradient pass, which also keeps the activations.
            double corruptMetric = 0;
            Func<Tensor, Tensor> meanMetric = logits =>
            {
                var value = metric(logits);
                if (value.numel() != logits.shape[0])
                    throw new ArgumentException(
                        $"the metric must return one value per batch element ([{logits.shape[0]}]), but returned shape [{string.Join(", ", value.shape)}].", nameof(metric));
                corruptMetric = value.detach().to(ScalarType.Float64).mean().item<double>();
                return value.mean();
            };
            var selected = hookNames.ToHashSet(StringComparer.Ordinal);
            var (corruptValue, grads, corruptActs) = model.GradientPass(corrupt, meanMetric, selected.Contains, keepActivations: true);
            using (corruptValue)
            using (grads)
            using (corruptActs)
            using (no_grad())
            {
                var terms = new TensorStore();
                foreach (var n in hookNames)
                    terms.Set(n, ((cleanActs[n] - corruptActs![n]) * grads[n]).sum([0]));
                return new AttributionPatchingResult(model, terms, cleanMetric, corruptMetric);
            }
        }
    }

    /// <summary>Estimated <see cref="ActivationPatching.ResidPre"/>: <c>[n_layers, pos]</c>.</summary>
    public static Tensor ResidPre(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric)
    {
        using var result = Run(model, cleanTokens, corruptTokens, metric, n => n.EndsWith(".hook_resid_pre", StringComparison.Ordinal));
        return result.ByLayerAndPosition("resid_pre");
    }

    /// <summary>Estimated <see cref="ActivationPatching.HeadOut"/>: <c>[n_layers, n_heads]</c>.</summary>
    public static Tensor HeadOut(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric)
    {
        using var result = Run(model, cleanTokens, corruptTokens, metric, n => n.EndsWith(".attn.hook_z", StringComparison.Ordinal));
        return result.HeadOut();
    }
}
