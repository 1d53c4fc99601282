using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>What activation maximisation maximises: a neuron, a direction, or an SAE feature, read at one hook.</summary>
public sealed class MaximisationTarget
{
    readonly Func<Tensor, Tensor> _read; // [..., width] -> [...]

    MaximisationTarget(string hookName, string description, Func<Tensor, Tensor> read)
    {
        HookName = hookName;
        Description = description;
        _read = read;
    }

    /// <summary>One unit of a hook's activation, e.g. neuron 42 of <c>blocks.1.mlp.hook_post</c> (trailing head axes are flattened).</summary>
    public static MaximisationTarget Neuron(string hookName, int index)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hookName);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return new(hookName, $"{hookName}[{index}]", act =>
        {
            if (index >= act.shape[^1])
                throw new ArgumentException($"Neuron {index} does not exist: '{hookName}' has {act.shape[^1]} units (0 to {act.shape[^1] - 1}).", nameof(index));
            return act.select(-1, index);
        });
    }

    /// <summary>The projection of a hook's activation on <paramref name="direction"/> <c>[width]</c> (copied, not normalised).</summary>
    public static MaximisationTarget Direction(string hookName, Tensor direction)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hookName);
        ArgumentNullException.ThrowIfNull(direction);
        if (direction.dim() != 1) throw new ArgumentException($"The direction must be a vector, but has shape [{string.Join(", ", direction.shape)}].", nameof(direction));
        var dir = direction.detach().to(ScalarType.Float32).cpu().clone().DetachFromDisposeScope();
        return new(hookName, $"{hookName} · direction", act =>
        {
            if (act.shape[^1] != dir.shape[0])
                throw new ArgumentException($"The direction has {dir.shape[0]} entries, but '{hookName}' is {act.shape[^1]} wide.", nameof(direction));
            return act.matmul(dir.to(act.dtype, act.device));
        });
    }

    /// <summary>Feature <paramref name="feature"/> of <paramref name="sae"/>, read at the SAE's hook.</summary>
    public static MaximisationTarget SaeFeature(SparseAutoencoder sae, int feature)
    {
        ArgumentNullException.ThrowIfNull(sae);
        if (feature < 0 || feature >= sae.Config.DSae)
            throw new ArgumentOutOfRangeException(nameof(feature), feature, $"The SAE has {sae.Config.DSae} features (0 to {sae.Config.DSae - 1}).");
        return new(sae.Config.HookName, $"{sae.Config.HookName} SAE feature {feature}",
            act => sae.Activate(sae.PreActivation(act.to(sae.WEnc.dtype))).select(-1, feature));
    }

    /// <summary>The model hook read.</summary>
    public string HookName { get; }

    /// <summary>The target in words.</summary>
    public string Description { get; }

    /// <summary>The target's value at every position: activation <c>[batch, pos, ...]</c> → <c>[batch, pos]</c>.</summary>
    public Tensor Read(Tensor activation)
    {
        ArgumentNullException.ThrowIfNull(activation);
        var flat = activation.dim() > 3 ? activation.flatten(2) : activation;
        return _read(flat);
    }

    /// <summary>The target's value for activation rows <c>[n, width]</c> → <c>[n]</c>.</summary>
    public Tensor ReadRows(Tensor rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return _read(rows);
    }

    /// <inheritdoc />
    public override string ToString() => Description;
}
