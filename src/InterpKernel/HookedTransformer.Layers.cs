using static TorchSharp.torch;

namespace InterpKernel;

public sealed partial class HookedTransformer
{
    /// <summary>
    /// The blocks in the order a forward pass runs them (checkpoint indices). It is <c>0, 1, …, n_layers - 1</c>
    /// unless a <see cref="SkipLayers"/> or <see cref="SwapLayers"/> scope is open.
    /// </summary>
    public IReadOnlyList<int> LayerOrder => _blockOrder;

    /// <summary>
    /// Leaves the given blocks out of every forward pass until the returned scope is disposed. Hooks keep their
    /// names; those of a skipped block do not fire. Scopes nest: disposing one restores the order it found.
    /// </summary>
    /// <example>
    /// <code>
    /// using (model.SkipLayers(2))
    ///     using (var logits = model.Forward(tokens)) { /* the model without block 2 */ }
    /// </code>
    /// </example>
    public IDisposable SkipLayers(params int[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (int l in layers) CheckLayer(l, nameof(layers));
        var skipped = layers.ToHashSet();
        return ReplaceOrder(_blockOrder.Where(l => !skipped.Contains(l)).ToArray());
    }

    /// <summary>
    /// Runs block <paramref name="first"/> where block <paramref name="second"/> ran and vice versa until the
    /// returned scope is disposed. Hooks keep their names (<c>blocks.3.*</c> is still block 3) and fire in the new order.
    /// </summary>
    /// <example>
    /// <code>
    /// using (model.SwapLayers(2, 3))
    ///     using (var logits = model.Forward(tokens)) { /* block 3 now runs before block 2 */ }
    /// </code>
    /// </example>
    public IDisposable SwapLayers(int first, int second)
    {
        CheckLayer(first, nameof(first));
        CheckLayer(second, nameof(second));
        int i = Array.IndexOf(_blockOrder, first), j = Array.IndexOf(_blockOrder, second);
        if (i < 0 || j < 0)
            throw new ArgumentException(
                $"layer {(i < 0 ? first : second)} is skipped in the current layer order [{string.Join(", ", _blockOrder)}]: it cannot be swapped.",
                i < 0 ? nameof(first) : nameof(second));
        var order = (int[])_blockOrder.Clone();
        (order[i], order[j]) = (order[j], order[i]);
        return ReplaceOrder(order);
    }

    /// <summary>
    /// Runs the blocks from position <paramref name="orderIndex"/> of <see cref="LayerOrder"/> on, then the final
    /// norm and unembedding: the rest of a forward pass whose residual stream entering that block is known.
    /// </summary>
    internal Tensor ForwardFrom(int orderIndex, Tensor residPre, bool lastPositionOnly = false, Tensor? attentionMask = null) // [batch, pos, d_model] -> [batch, pos, d_vocab]
    {
        using var scope = NewDisposeScope();
        using var hookTensors = HookPoint.CollectHookTensors();
        var padding = PaddingMask.For(RealMask(attentionMask, residPre.shape[0], residPre.shape[1]), null, residPre.shape[0], residPre.shape[1], Device);
        var resid = RunBlocks(scope, residPre, orderIndex, _blockOrder.Length, null, padding);
        // The final norm works position by position, so unembedding one position is exact.
        if (lastPositionOnly) resid = resid.narrow(1, resid.shape[1] - 1, 1);
        var logits = unembed.call(ln_final.call(resid));
        HookPoint.HandOver(scope);
        return logits.MoveToOuterDisposeScope();
    }

    void CheckLayer(int layer, string paramName)
    {
        if (layer < 0 || layer >= Config.NLayers)
            throw new ArgumentOutOfRangeException(paramName, layer,
                $"layer {layer} does not exist: the model has {Config.NLayers} layers (0 to {Config.NLayers - 1}).");
    }

    IDisposable ReplaceOrder(int[] order)
    {
        var previous = _blockOrder;
        _blockOrder = order;
        return new OrderScope(this, previous);
    }

    sealed class OrderScope(HookedTransformer model, int[] previous) : IDisposable
    {
        bool _done;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            model._blockOrder = previous;
        }
    }
}
