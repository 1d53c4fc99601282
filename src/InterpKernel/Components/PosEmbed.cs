using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InterpKernel.Components;

/// <summary>Learned absolute position embedding: <c>W_pos[offset : offset + pos]</c>, broadcast over the batch.</summary>
public sealed class PosEmbed : nn.Module
{
    readonly Parameter W_pos; // [n_ctx, d_model]

    internal PosEmbed(Tensor wPos) : base("pos_embed")
    {
        W_pos = new Parameter(wPos, requires_grad: false);
        RegisterComponents();
    }

    /// <summary>The position embedding matrix <c>[n_ctx, d_model]</c>.</summary>
    public Tensor WPos => W_pos;

    /// <summary>Position embeddings for <paramref name="pos"/> positions starting at <paramref name="offset"/>.</summary>
    public Tensor Forward(long batch, long pos, long offset) =>
        W_pos.narrow(0, offset, pos).unsqueeze(0).expand(batch, pos, -1); // [batch, pos, d_model]

    /// <summary>Position embeddings for per-row <paramref name="positions"/> <c>[batch, pos]</c> (padded batches).</summary>
    public Tensor Forward(Tensor positions) =>
        W_pos.index_select(0, positions.reshape(-1)).view(positions.shape[0], positions.shape[1], -1); // [batch, pos, d_model]
}
