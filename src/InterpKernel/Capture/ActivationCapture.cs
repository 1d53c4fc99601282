using static TorchSharp.torch;

namespace InterpKernel;

/// <summary>
/// Runs a forward pass only as far as the hooks asked for need and keeps what is selected of their activations in a
/// <see cref="TensorStore"/>: the capture that scans, collection, head scores, SAE training and patching share.
/// </summary>
internal static class ActivationCapture
{
    /// <summary>
    /// Captures <paramref name="names"/> (distinct hook names) in one forward pass without gradients, each kept under
    /// its name; <paramref name="select"/> runs inside each hook (given the name's index in <paramref name="names"/>),
    /// so only what is kept is copied. The caller disposes the store.
    /// </summary>
    public static TensorStore Capture(HookedTransformer model, Tensor tokens, IReadOnlyList<string> names,
        Func<int, Tensor, Tensor>? select = null, ScalarType? dtype = null, Tensor? attentionMask = null)
    {
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
            throw new ArgumentException("Each hook name may be captured once per store; use Run to read one hook several ways.", nameof(names));
        return CaptureAs(model, tokens, names, names, select, dtype, attentionMask);
    }

    /// <summary>
    /// One activation per entry of <paramref name="names"/> (a hook may be named more than once, each entry selected
    /// its own way), detached and float32 unless <paramref name="dtype"/> says otherwise; the caller disposes them.
    /// </summary>
    public static Tensor[] Run(HookedTransformer model, Tensor tokens, IReadOnlyList<string> names, Func<int, Tensor, Tensor> select,
        ScalarType? dtype = ScalarType.Float32)
    {
        var keys = names.Select((_, i) => "#" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        using var store = CaptureAs(model, tokens, names, keys, select, dtype, null);
        return keys.Select(store.Take).ToArray();
    }

    static TensorStore CaptureAs(HookedTransformer model, Tensor tokens, IReadOnlyList<string> names, IReadOnlyList<string> keys,
        Func<int, Tensor, Tensor>? select, ScalarType? dtype, Tensor? attentionMask)
    {
        var store = new TensorStore();
        try
        {
            var hooks = names.Select((n, i) => (n, store.Hook(select is null ? null : (a, _) => select(i, a), dtype, keys[i]))).ToArray();
            using (model.Hooks(hooks))
            using (no_grad())
            {
                model.ForwardCore(tokens, null, null, StopLayer(model, names), attentionMask).Dispose();
            }
            for (int i = 0; i < names.Count; i++)
                if (!store.Contains(keys[i])) throw new InvalidOperationException($"The hook '{names[i]}' did not fire in the forward pass.");
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
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
