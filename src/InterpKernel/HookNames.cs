using System.Globalization;

namespace InterpKernel;

/// <summary>
/// Builds TransformerLens-compatible hook names, like TransformerLens's <c>get_act_name</c>:
/// <c>HookNames.Of("pattern", 1)</c> is <c>blocks.1.attn.hook_pattern</c>.
/// </summary>
public static class HookNames
{
    static readonly Dictionary<string, string> BlockLevel = new()
    {
        ["resid_pre"] = "hook_resid_pre", ["resid_mid"] = "hook_resid_mid", ["resid_post"] = "hook_resid_post",
        ["attn_out"] = "hook_attn_out", ["mlp_out"] = "hook_mlp_out",
        ["q"] = "attn.hook_q", ["k"] = "attn.hook_k", ["v"] = "attn.hook_v", ["z"] = "attn.hook_z",
        ["rot_q"] = "attn.hook_rot_q", ["rot_k"] = "attn.hook_rot_k",
        ["result"] = "attn.hook_result", ["attn_scores"] = "attn.hook_attn_scores", ["scores"] = "attn.hook_attn_scores",
        ["pattern"] = "attn.hook_pattern", ["attn"] = "attn.hook_pattern",
        ["pre"] = "mlp.hook_pre", ["post"] = "mlp.hook_post", ["pre_linear"] = "mlp.hook_pre_linear",
        ["mlp_pre"] = "mlp.hook_pre", ["mlp_post"] = "mlp.hook_post",
    };

    /// <summary>
    /// The full hook name of a short activation name: <c>Of("resid_pre", 0)</c> → <c>blocks.0.hook_resid_pre</c>,
    /// <c>Of("embed")</c> → <c>hook_embed</c>, <c>Of("scale", 1, "ln2")</c> → <c>blocks.1.ln2.hook_scale</c>,
    /// <c>Of("normalized", layerType: "ln_final")</c> → <c>ln_final.hook_normalized</c>.
    /// </summary>
    /// <example><code>var name = HookNames.Of("pattern", 1); // "blocks.1.attn.hook_pattern"</code></example>
    public static string Of(string activation, int? layer = null, string? layerType = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(activation);
        if (activation.Contains('.') || activation.StartsWith("hook_", StringComparison.Ordinal)) return activation;
        switch (activation)
        {
            case "embed": return "hook_embed";
            case "pos_embed": return "hook_pos_embed";
        }
        if (activation is "scale" or "normalized")
        {
            if (layerType == "ln_final" || (layerType is null && layer is null)) return $"ln_final.hook_{activation}";
            if (layerType is not ("ln1" or "ln2"))
                throw new ArgumentException($"'{activation}' needs a layerType: ln1, ln2 or ln_final.", nameof(layerType));
            if (layer is null) throw new ArgumentException($"'{layerType}.{activation}' needs a layer.", nameof(layer));
            return $"blocks.{layer.Value.ToString(CultureInfo.InvariantCulture)}.{layerType}.hook_{activation}";
        }
        if (!BlockLevel.TryGetValue(activation, out var suffix))
            throw new ArgumentException(
                $"'{activation}' is not an activation name. Known short names: embed, pos_embed, {string.Join(", ", BlockLevel.Keys)}, scale, normalized.",
                nameof(activation));
        if (layer is null)
            throw new ArgumentException($"'{activation}' belongs to a block: give a layer, e.g. HookNames.Of(\"{activation}\", 0).", nameof(layer));
        return $"blocks.{layer.Value.ToString(CultureInfo.InvariantCulture)}.{suffix}";
    }

    /// <summary>The block index in a hook name (<c>blocks.3.attn.hook_z</c> → 3), or <c>null</c>.</summary>
    public static int? LayerOf(string hookName)
    {
        if (!hookName.StartsWith("blocks.", StringComparison.Ordinal)) return null;
        int end = hookName.IndexOf('.', 7);
        if (end < 0) return null;
        return int.TryParse(hookName.AsSpan(7, end - 7), NumberStyles.None, CultureInfo.InvariantCulture, out int l) ? l : null;
    }

    /// <summary>The names among <paramref name="known"/> closest to <paramref name="name"/> (edit distance), best first.</summary>
    public static IReadOnlyList<string> Nearest(string name, IEnumerable<string> known, int count = 3) =>
        known.Select(k => (k, d: EditDistance(name, k)))
             .OrderBy(p => p.d).ThenBy(p => p.k, StringComparer.Ordinal)
             .Take(count).Select(p => p.k).ToList();

    static int EditDistance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
