using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Where a path ends in path patching: an activation that reads the residual stream, such as one head's query,
/// key or value input (<c>hook_q</c>, <c>hook_k</c>, <c>hook_v</c> with <paramref name="Head"/>), a whole
/// <c>hook_resid_post</c>, or the final residual stream.
/// </summary>
/// <param name="HookName">Full hook name, e.g. <c>blocks.1.attn.hook_q</c>.</param>
/// <param name="Head">The head (of q/k/v/pattern hooks), or <c>null</c> for the whole activation.</param>
public sealed record PathReceiver(string HookName, int? Head = null)
{
    /// <summary>The query input of head <paramref name="head"/> in layer <paramref name="layer"/>.</summary>
    public static PathReceiver Query(int layer, int head) => new(HookNames.Of("q", layer), head);
    /// <summary>The key input of (key/value) head <paramref name="head"/> in layer <paramref name="layer"/>.</summary>
    public static PathReceiver Key(int layer, int head) => new(HookNames.Of("k", layer), head);
    /// <summary>The value input of (key/value) head <paramref name="head"/> in layer <paramref name="layer"/>.</summary>
    public static PathReceiver Value(int layer, int head) => new(HookNames.Of("v", layer), head);
    /// <summary>The residual stream after block <paramref name="layer"/> (the last block's is what the unembedding reads).</summary>
    public static PathReceiver ResidPost(int layer) => new(HookNames.Of("resid_post", layer));

    /// <summary>Fails with the valid ranges when this names a layer or head that <paramref name="model"/> lacks.</summary>
    internal void Validate(HookedTransformer model, string paramName)
    {
        var c = model.Config;
        if (HookNames.LayerOf(HookName) is { } l && (l < 0 || l >= c.NLayers))
            throw new ArgumentOutOfRangeException(paramName, l, $"receiver '{HookName}': layer {l} does not exist: the model has {c.NLayers} layers (0 to {c.NLayers - 1}).");
        if (Head is not { } h) return;
        bool kv = HookName.EndsWith(".hook_k", StringComparison.Ordinal) || HookName.EndsWith(".hook_v", StringComparison.Ordinal)
                  || HookName.EndsWith(".hook_rot_k", StringComparison.Ordinal);
        int heads = kv ? c.KeyValueHeads : c.NHeads;
        if (h < 0 || h >= heads)
            throw new ArgumentOutOfRangeException(paramName, h,
                $"receiver '{HookName}': head {h} does not exist: it has {heads} {(kv ? "key/value " : "")}heads (0 to {heads - 1}).");
    }

    internal TensorIndex[] Index()
    {
        if (Head is not { } h) return Array.Empty<TensorIndex>();
        if (HookName.EndsWith(".hook_pattern", StringComparison.Ordinal) || HookName.EndsWith(".hook_attn_scores", StringComparison.Ordinal))
            return new[] { TensorIndex.Single(h) };
        if (HookName.EndsWith(".hook_q", StringComparison.Ordinal) || HookName.EndsWith(".hook_k", StringComparison.Ordinal)
            || HookName.EndsWith(".hook_v", StringComparison.Ordinal) || HookName.EndsWith(".hook_rot_q", StringComparison.Ordinal)
            || HookName.EndsWith(".hook_rot_k", StringComparison.Ordinal))
            return new[] { TensorIndex.Colon, TensorIndex.Single(h) };
        throw new ArgumentException(
            $"a head was given for '{HookName}', which has no head dimension: heads apply to hook_q, hook_k, hook_v, hook_rot_q/k, hook_pattern and hook_attn_scores.",
            nameof(Head));
    }
}
