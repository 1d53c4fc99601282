using static TorchSharp.torch;

namespace InterpKernel;

public sealed partial class ActivationCache
{
    /// <summary>
    /// One activation of every layer stacked along a new first axis: <c>cache.StackActivation("pattern")</c> is
    /// <c>[n_layers, batch, head_index, query_pos, key_pos]</c> (TransformerLens's <c>stack_activation</c>).
    /// Layers run up to <paramref name="layer"/> (exclusive; all by default). The caller owns the result.
    /// </summary>
    /// <example><code>using var patterns = cache.StackActivation("pattern");</code></example>
    public Tensor StackActivation(string activation, int? layer = null, string? layerType = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(activation);
        ObjectDisposedException.ThrowIf(_disposed, this);
        int upTo = layer ?? Model.Config.NLayers;
        if (upTo < 1 || upTo > Model.Config.NLayers)
            throw new ArgumentOutOfRangeException(nameof(layer), upTo, $"layer must be 1 to {Model.Config.NLayers} (the stack stops before it).");
        var parts = Enumerable.Range(0, upTo)
            .Select(l => layerType is null ? this[activation, l] : this[activation, l, layerType]).ToArray();
        return stack(parts, 0);
    }

    /// <summary>
    /// A cache whose activations drop the batch axis (TransformerLens's <c>remove_batch_dim</c>): needs a batch of
    /// one. This cache gives its tensors to the new one and is left empty.
    /// </summary>
    /// <example><code>using var single = cache.RemoveBatchDim(); // cache["pattern", 0] is now [head_index, query_pos, key_pos]</code></example>
    public ActivationCache RemoveBatchDim()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var wide = _store.FirstOrDefault(kv => kv.Value.dim() == 0 || kv.Value.shape[0] != 1);
        if (wide.Value is not null)
            throw new InvalidOperationException(
                $"'{wide.Key}' has a batch of {(wide.Value.dim() == 0 ? 0 : wide.Value.shape[0])}: RemoveBatchDim needs a batch of one; index one row instead.");
        var result = new ActivationCache(Model);
        _store.MoveTo(result._store, t => t.squeeze(0));
        return result;
    }
}
