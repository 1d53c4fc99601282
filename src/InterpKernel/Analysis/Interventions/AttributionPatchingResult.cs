using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// First-order estimates of activation patching from one clean forward and one corrupted forward and backward:
/// patching clean activation <c>a_clean</c> into the corrupted run moves the metric by about
/// <c>(a_clean − a_corrupt) · ∂metric/∂a</c>. Values are estimates of the patched run's metric (the corrupted
/// metric plus that change), comparable with <see cref="ActivationPatching"/>. Owns its tensors: dispose it.
/// </summary>
public sealed class AttributionPatchingResult : IDisposable
{
    readonly TensorStore _terms;
    readonly HookedTransformer _model;

    internal AttributionPatchingResult(HookedTransformer model, TensorStore terms, double clean, double corrupted)
    {
        _model = model;
        _terms = terms;
        CleanMetric = clean;
        CorruptedMetric = corrupted;
    }

    /// <summary>The metric of the clean run (mean over the batch).</summary>
    public double CleanMetric { get; }

    /// <summary>The metric of the corrupted run (mean over the batch).</summary>
    public double CorruptedMetric { get; }

    /// <summary>The hooks with estimates.</summary>
    public IEnumerable<string> HookNames => _terms.Names;

    /// <summary>
    /// The estimated change of the metric per element of the activation at <paramref name="hookName"/>, summed over
    /// the batch: the activation's shape without its batch dimension. Sum any set of elements to estimate patching them together.
    /// The tensor belongs to this result: do not dispose it.
    /// </summary>
    public Tensor Elementwise(string hookName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hookName);
        if (!_terms.Contains(hookName))
            throw new ArgumentException(
                $"'{hookName}' has no estimate: it was not among the hooks of this attribution run ({string.Join(", ", _terms.Names.Take(6))}, …). Widen the names filter.",
                nameof(hookName));
        return _terms[hookName];
    }

    /// <summary>Estimated metric after patching <paramref name="activation"/> (<c>resid_pre</c>, <c>attn_out</c>, …) per layer and position: <c>[n_layers, pos]</c>.</summary>
    public Tensor ByLayerAndPosition(string activation)
    {
        using var scope = NewDisposeScope();
        var rows = Enumerable.Range(0, _model.Config.NLayers).Select(l => Elementwise(InterpKernel.HookNames.Of(activation, l)).sum(-1));
        return (stack(rows, 0) + CorruptedMetric).MoveToOuterDisposeScope();
    }

    /// <summary>Estimated metric after patching one head's <c>hook_z</c> at every position: <c>[n_layers, n_heads]</c>.</summary>
    public Tensor HeadOut()
    {
        using var scope = NewDisposeScope();
        var rows = Enumerable.Range(0, _model.Config.NLayers).Select(l => Elementwise(InterpKernel.HookNames.Of("z", l)).sum([0, 2]));
        return (stack(rows, 0) + CorruptedMetric).MoveToOuterDisposeScope();
    }

    /// <summary>Estimated metric after patching one head's <c>hook_z</c> at one position: <c>[n_layers, pos, n_heads]</c>.</summary>
    public Tensor HeadOutByPos()
    {
        using var scope = NewDisposeScope();
        var rows = Enumerable.Range(0, _model.Config.NLayers).Select(l => Elementwise(InterpKernel.HookNames.Of("z", l)).sum(-1));
        return (stack(rows, 0) + CorruptedMetric).MoveToOuterDisposeScope();
    }

    /// <summary>Frees the estimates.</summary>
    public void Dispose() => _terms.Dispose();
}
