using InterpKernel.Components;
using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// A model's normalisation written out as arithmetic, so analyses can apply it with a cached scale
/// (TransformerLens's <c>apply_ln_to_stack</c>) or recompute it on a residual stream that never ran through it.
/// </summary>
internal static class NormMath
{
    /// <summary>
    /// Normalises <paramref name="x"/> <c>[..., d_model]</c>: centre (LayerNorm only), divide by <paramref name="scale"/>
    /// (<c>[..., 1]</c>, or computed from <paramref name="x"/> when null), multiply by the learned weight and, when
    /// <paramref name="addBias"/>, add the learned bias.
    /// </summary>
    public static Tensor Apply(HookedTransformer model, nn.Module<Tensor, Tensor> norm, Tensor x, Tensor? scale, bool addBias)
    {
        bool centre = model.Config.Normalization is NormalizationType.LayerNorm or NormalizationType.LayerNormPre;
        double eps = model.Config.LayerNormEps;
        var centred = centre ? x - x.mean([-1], keepdim: true) : x;
        scale ??= (centred.pow(2).mean([-1], keepdim: true) + eps).sqrt();
        var y = centred / scale;
        switch (norm)
        {
            case LayerNorm ln:
                if (ln.W is not null) y = y * ln.W;
                if (addBias && ln.B is not null) y = y + ln.B;
                break;
            case RmsNorm rms:
                if (rms.W is not null) y = y * rms.W;
                break;
        }
        return y;
    }

    /// <summary>The learned bias of a normalisation layer, or <c>null</c> (RMSNorm, folded LayerNorm).</summary>
    public static Tensor? Bias(nn.Module<Tensor, Tensor> norm) => norm is LayerNorm ln ? ln.B : null;
}
