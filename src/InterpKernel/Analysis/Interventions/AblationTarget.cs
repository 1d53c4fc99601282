using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// What to ablate: the elements <paramref name="Index"/> (over the dimensions after batch and position) of an
/// activation <c>[batch, pos, …]</c>. Build one with <see cref="Head"/>, <see cref="Mlp"/> or <see cref="Neurons"/>.
/// </summary>
/// <param name="HookName">Full hook name of an activation shaped <c>[batch, pos, …]</c>.</param>
/// <param name="Index">Indices over the dimensions after batch and position; empty ablates the whole activation.</param>
/// <param name="Label">A readable name, e.g. <c>L1H3</c>.</param>
public sealed record AblationTarget(string HookName, TensorIndex[] Index, string Label)
{
    /// <summary>One attention head's output (<c>hook_z</c> of that head at every position).</summary>
    public static AblationTarget Head(int layer, int head)
    {
        NotNegative(layer, nameof(layer), "layers");
        NotNegative(head, nameof(head), "heads");
        return new(HookNames.Of("z", layer), new[] { TensorIndex.Single(head) }, $"L{layer}H{head}") { Heads = [head] };
    }

    /// <summary>A whole MLP layer's output (<c>hook_mlp_out</c>).</summary>
    public static AblationTarget Mlp(int layer)
    {
        NotNegative(layer, nameof(layer), "layers");
        return new(HookNames.Of("mlp_out", layer), Array.Empty<TensorIndex>(), $"MLP{layer}");
    }

    /// <summary>Single MLP neurons (their activations in <c>mlp.hook_post</c>).</summary>
    /// <example><code>using (Ablation.Apply(model, AblationTarget.Neurons(1, 17, 402), AblationKind.Zero)) { … }</code></example>
    public static AblationTarget Neurons(int layer, params long[] neurons)
    {
        ArgumentNullException.ThrowIfNull(neurons);
        NotNegative(layer, nameof(layer), "layers");
        if (neurons.Length == 0) throw new ArgumentException("give at least one neuron index.", nameof(neurons));
        foreach (long n in neurons) NotNegative(n, nameof(neurons), "neurons");
        return new(HookNames.Of("post", layer), new[] { TensorIndex.Tensor(neurons) }, $"L{layer}N{string.Join(",", neurons)}") { NeuronIndices = neurons };
    }

    /// <summary>The heads this target names (set by <see cref="Head"/>), checked against a model before use.</summary>
    internal int[]? Heads { get; init; }

    /// <summary>The neurons this target names (set by <see cref="Neurons"/>), checked against a model before use.</summary>
    internal long[]? NeuronIndices { get; init; }

    /// <summary>Fails with the valid ranges when the target names a layer, head or neuron <paramref name="model"/> lacks.</summary>
    internal void Validate(HookedTransformer model, string paramName)
    {
        var c = model.Config;
        if (HookNames.LayerOf(HookName) is { } l && (l < 0 || l >= c.NLayers))
            throw new ArgumentOutOfRangeException(paramName, l, $"{Label}: layer {l} does not exist: the model has {c.NLayers} layers (0 to {c.NLayers - 1}).");
        foreach (int h in Heads ?? [])
            if (h >= c.NHeads)
                throw new ArgumentOutOfRangeException(paramName, h, $"{Label}: head {h} does not exist: the model has {c.NHeads} heads per layer (0 to {c.NHeads - 1}).");
        foreach (long n in NeuronIndices ?? [])
            if (n >= c.DMlp)
                throw new ArgumentOutOfRangeException(paramName, n, $"{Label}: neuron {n} does not exist: the MLP has d_mlp = {c.DMlp} neurons (0 to {c.DMlp - 1}).");
    }

    static void NotNegative(long value, string paramName, string what)
    {
        if (value < 0)
            throw new ArgumentOutOfRangeException(paramName, value, $"{what} are numbered from 0, so {value} does not exist.");
    }
}
