using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Components;

/// <summary>Builds the normalisation layer a config asks for.</summary>
internal static class Normalization
{
    public static nn.Module<Tensor, Tensor> Create(string prefix, TransformerConfig cfg, Weights weights) => cfg.Normalization switch
    {
        NormalizationType.LayerNorm => new LayerNorm(prefix, weights.Get(prefix + ".w", cfg.DModel), weights.Get(prefix + ".b", cfg.DModel), cfg.LayerNormEps),
        NormalizationType.LayerNormPre => new LayerNorm(prefix, null, null, cfg.LayerNormEps),
        NormalizationType.RmsNorm => new RmsNorm(prefix, weights.Get(prefix + ".w", cfg.DModel), cfg.LayerNormEps),
        NormalizationType.RmsNormPre => new RmsNorm(prefix, null, cfg.LayerNormEps),
        _ => throw new ArgumentOutOfRangeException(nameof(cfg), cfg.Normalization, "Unknown normalisation type."),
    };
}
