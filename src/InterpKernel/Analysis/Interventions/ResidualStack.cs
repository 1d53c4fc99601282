using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Pieces of the residual stream stacked along a leading axis, <c>[component, batch, pos, d_model]</c>, with one
/// label per component (<c>embed</c>, <c>pos_embed</c>, <c>0_attn_out</c>, <c>1_pre</c>, <c>L0H3</c>, …).
/// Owns its tensor: dispose it.
/// </summary>
/// <param name="Components">The stacked components <c>[component, batch, pos, d_model]</c>.</param>
/// <param name="Labels">One label per component, in stacking order.</param>
public sealed record ResidualStack(Tensor Components, string[] Labels) : IDisposable
{
    /// <summary>How many components are stacked.</summary>
    public int Count => Labels.Length;

    /// <summary>Frees the stacked tensor.</summary>
    public void Dispose() => Components.Dispose();
}
