using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InterpKernel.Components;

/// <summary>Unembedding: <c>logits = x W_U + b_U</c>.</summary>
public sealed class Unembed : nn.Module<Tensor, Tensor>
{
    readonly Parameter W_U; // [d_model, d_vocab]
    readonly Parameter b_U; // [d_vocab]

    internal Unembed(Tensor wU, Tensor bU) : base("unembed")
    {
        W_U = new Parameter(wU, requires_grad: false);
        b_U = new Parameter(bU, requires_grad: false);
        RegisterComponents();
    }

    /// <summary>The unembedding matrix <c>[d_model, d_vocab]</c>.</summary>
    public Tensor WU => W_U;
    /// <summary>The unembedding bias <c>[d_vocab]</c>.</summary>
    public Tensor BU => b_U;

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => x.matmul(W_U).add_(b_U); // [batch, pos, d_vocab]
}
