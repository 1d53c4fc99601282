using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InterpKernel.Components;

/// <summary>Token embedding: <c>W_E[tokens]</c>.</summary>
public sealed class Embed : nn.Module<Tensor, Tensor>
{
    readonly Parameter W_E; // [d_vocab, d_model]

    internal Embed(Tensor wE) : base("embed")
    {
        W_E = new Parameter(wE, requires_grad: false);
        RegisterComponents();
    }

    /// <summary>The embedding matrix <c>[d_vocab, d_model]</c>.</summary>
    public Tensor WE => W_E;

    /// <inheritdoc />
    public override Tensor forward(Tensor tokens) => // [batch, pos] -> [batch, pos, d_model]
        W_E.index_select(0, tokens.reshape(-1)).view(tokens.shape[0], tokens.shape[1], W_E.shape[1]);
}
