using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InterpKernel.Components;

/// <summary>Unembedding: <c>logits = x W_U + b_U</c>, soft-capped (<c>c · tanh(logits / c)</c>) where the model does so (Gemma 2).</summary>
public sealed class Unembed : nn.Module<Tensor, Tensor>
{
    readonly Parameter W_U; // [d_model, d_vocab]
    readonly Parameter b_U; // [d_vocab]
    readonly double? _softcap;

    internal Unembed(Tensor wU, Tensor bU) : this(wU, bU, null)
    {
    }

    internal Unembed(Tensor wU, Tensor bU, double? softcap) : base("unembed")
    {
        _softcap = softcap;
        W_U = new Parameter(wU, requires_grad: false);
        b_U = new Parameter(bU, requires_grad: false);
        RegisterComponents();
    }

    /// <summary>The unembedding matrix <c>[d_model, d_vocab]</c>.</summary>
    public Tensor WU => W_U;
    /// <summary>The unembedding bias <c>[d_vocab]</c>.</summary>
    public Tensor BU => b_U;

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        var logits = x.matmul(W_U).add_(b_U); // [batch, pos, d_vocab]
        return _softcap is { } cap ? logits.div_(cap).tanh_().mul_(cap) : logits;
    }

    /// <summary>The soft cap on the logits, or <c>null</c> when the model has none.</summary>
    public double? Softcap => _softcap;
}
