using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Components;

/// <summary>The MLP activation functions checkpoints name in their configs.</summary>
internal static class Activations
{
    public static Func<Tensor, Tensor> For(string name) => name switch
    {
        "gelu_new" or "gelu_fast" or "gelu_pytorch_tanh" => x => nn.functional.gelu(x, TorchSharp.Modules.GELU.Approximate.tanh),
        "gelu" => x => nn.functional.gelu(x),
        "relu" => x => nn.functional.relu(x),
        "silu" => x => nn.functional.silu(x),
        _ => throw new ArgumentException($"Activation '{name}' is not supported: use gelu_new, gelu, relu or silu.", nameof(name)),
    };
}
