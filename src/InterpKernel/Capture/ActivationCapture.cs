using static TorchSharp.torch;

namespace InterpKernel;

/// <summary>
/// Runs a forward pass only as far as the hooks asked for need and keeps what is selected of their activations in a
/// <see cref="TensorStore"/>: the capture that scans, collection, head scores, SAE training and patching share.
/// </summary>
internal static class ActivationCapture
{
    /// <summary>
    /// Captures <paramref name="names"/> in one forward pass without gradients; <paramref name="select"/> runs inside
    /// each hook (given the name's index in <paramref name="names"/>), so only what is kept is copied. The caller
    /// disposes the store.
    /// </summary>
    public static TensorStore Capture(HookedTransformer model, Tensor tokens, IReadOnlyList<string> names,
        Func<int, Tensor, Tensor>? select = null, ScalarType? dtype = null, Tensor? attentionMask = null)
    {
        var store = new TensorStore();
        var index = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        var hook = store.Hook(select is null ? null : (a, h) => select(index[h.Name], a), dtype);
        try
        {
            using (model.Hooks(names.Select(n => (n, hook)).ToArray()))
            using (no_grad())
            {
                model.ForwardCore(tokens, null, null, StopLayer(model, names), attentionMask).Dispose();
            }
            foreach (var n in names)
                if (!store.Contains(n)) throw new InvalidOperationException($"The hook '{n}' did not fire in the forward pass.");
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>
    /// One activation per name (detached, float32 unless <paramref name="dtype"/> says otherwise; the caller disposes
    /// them), transformed by <paramref name="select"/> inside the hook so only what is kept is copied.
    /// </summary>
    public static Tensor[] Run(HookedTransformer model, Tensor tokens, IReadOnlyList<string> names, Func<int, Tensor, Tensor> select,
        ScalarType? dtype = ScalarType.Float32)
    {
        using var store = Capture(model, tokens, names, select, dtype);
        return names.Select(store.Take).ToArray();
    }

    /// <summary>
    /// The earliest block a forward may stop at and still fire every hook, skipping the unembedding when it can:
    /// null (the whole forward) when a final-norm hook is named. An unknown name fails here with suggestions.
    /// </summary>
    public static int? StopLayer(HookedTransformer model, IEnumerable<string> names)
    {
        int stop = 0;
        bool whole = false;
        foreach (var name in names)
        {
            model.GetHookPoint(name);
            if (name is "hook_embed" or "hook_pos_embed") continue;
            if (HookNames.LayerOf(name) is { } layer) stop = Math.Max(stop, layer + 1);
            else whole = true;
        }
        return whole ? null : stop;
    }
}
