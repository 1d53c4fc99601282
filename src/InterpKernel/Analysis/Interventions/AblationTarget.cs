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
    public static AblationTarget Head(int layer, int head) =>
        new(HookNames.Of("z", layer), new[] { TensorIndex.Single(head) }, $"L{layer}H{head}");

    /// <summary>A whole MLP layer's output (<c>hook_mlp_out</c>).</summary>
    public static AblationTarget Mlp(int layer) => new(HookNames.Of("mlp_out", layer), Array.Empty<TensorIndex>(), $"MLP{layer}");

    /// <summary>Single MLP neurons (their activations in <c>mlp.hook_post</c>).</summary>
    /// <example><code>using (Ablation.Apply(model, AblationTarget.Neurons(1, 17, 402), AblationKind.Zero)) { … }</code></example>
    public static AblationTarget Neurons(int layer, params long[] neurons)
    {
        ArgumentNullException.ThrowIfNull(neurons);
        if (neurons.Length == 0) throw new ArgumentException("give at least one neuron index.", nameof(neurons));
        return new(HookNames.Of("post", layer), new[] { TensorIndex.Tensor(neurons) }, $"L{layer}N{string.Join(",", neurons)}");
    }
}
