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

    /// <summary>
    /// A value per token computed from a hook's activation by <paramref name="read"/> (<c>[batch, pos, ...]</c> to
    /// <c>[batch, pos]</c>), such as one SAE feature: <c>act => sae.Encode(act).select(-1, feature)</c>.
    /// </summary>
    /// <param name="hookName">The hook whose activation is read.</param>
    /// <param name="read">Activation to one value per token.</param>
    /// <param name="name">What the value is, for titles, such as "SAE feature 5".</param>
    public static ActivationSite Computed(string hookName, Func<Tensor, Tensor> read, string name)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new ActivationSite(hookName) { _read = read, _name = name };
    }

    Func<Tensor, Tensor>? _read;
    string? _name;

    /// <summary>The full hook name.</summary>
    public string HookName { get; }

    /// <summary>The index into the dimensions after <c>[batch, pos]</c>.</summary>
    public IReadOnlyList<int> Index { get; }

    /// <summary>The site's values <c>[batch, pos]</c> (float32) from the hook's activation.</summary>
    public Tensor Select(Tensor activation)
    {
        ArgumentNullException.ThrowIfNull(activation);
        if (_read is not null)
        {
            var values = _read(activation);
            if (values.dim() != 2 || values.shape[0] != activation.shape[0] || values.shape[1] != activation.shape[1])
                throw new ArgumentException(
                    $"the value read for {_name} at '{HookName}' has shape [{string.Join(", ", values.shape)}]: it must give one value per token, [batch, pos].",
                    nameof(activation));
            return values.to(ScalarType.Float32);
        }
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
    public override string ToString() => _name is not null ? $"{_name} at {HookName}" : Index.Count == 0 ? HookName : $"{HookName}[:, :, {string.Join(", ", Index)}]";
}
