using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// One scalar activation per token: a hook whose activation is <c>[batch, pos, ...]</c> and an index into the
/// dimensions after <c>pos</c> (e.g. <c>blocks.1.mlp.hook_post</c> and neuron 17, or <c>blocks.0.attn.hook_z</c>,
/// head 3, dimension 5).
/// </summary>
/// <example>
/// <code>
/// var site = ActivationSite.Neuron(layer: 1, neuron: 17);      // blocks.1.mlp.hook_post[:, :, 17]
/// var dim = new ActivationSite("blocks.0.hook_resid_post", 5); // residual dimension 5
/// </code>
/// </example>
public sealed class ActivationSite
{
    /// <summary>A site from a full hook name and the index after <c>[batch, pos]</c>.</summary>
    public ActivationSite(string hookName, params int[] index)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hookName);
        ArgumentNullException.ThrowIfNull(index);
        if (hookName.EndsWith("hook_pattern", StringComparison.Ordinal) || hookName.EndsWith("hook_attn_scores", StringComparison.Ordinal))
            throw new ArgumentException(
                $"'{hookName}' is [batch, head_index, query_pos, key_pos], not one value per token: pick a per-token hook such as hook_z or hook_result.",
                nameof(hookName));
        if (index.Any(i => i < 0)) throw new ArgumentException($"index entries must be non-negative, got [{string.Join(", ", index)}].", nameof(index));
        HookName = hookName;
        Index = index.ToArray();
    }

    /// <summary>MLP neuron <paramref name="neuron"/> of <paramref name="layer"/>: <c>blocks.{layer}.mlp.hook_post[:, :, neuron]</c>.</summary>
    public static ActivationSite Neuron(int layer, int neuron) => new(HookNames.Of("post", layer), neuron);

    /// <summary>The full hook name.</summary>
    public string HookName { get; }

    /// <summary>The index into the dimensions after <c>[batch, pos]</c>.</summary>
    public IReadOnlyList<int> Index { get; }

    /// <summary>The site's values <c>[batch, pos]</c> (float32) from the hook's activation.</summary>
    public Tensor Select(Tensor activation)
    {
        ArgumentNullException.ThrowIfNull(activation);
        if (activation.dim() != 2 + Index.Count)
            throw new ArgumentException(
                $"'{HookName}' has shape [{string.Join(", ", activation.shape)}], so it needs {activation.dim() - 2} index entries after [batch, pos], but {Index.Count} were given.",
                nameof(activation));
        var t = activation;
        for (int i = 0; i < Index.Count; i++)
        {
            long size = activation.shape[2 + i];
            if (Index[i] >= size)
                throw new ArgumentException(
                    $"Index {Index[i]} is out of range for dimension {2 + i} of '{HookName}', which has size {size}.", nameof(activation));
            t = t.select(2, Index[i]);
        }
        return t.to(ScalarType.Float32);
    }

    /// <inheritdoc />
    public override string ToString() => Index.Count == 0 ? HookName : $"{HookName}[:, :, {string.Join(", ", Index)}]";
}
