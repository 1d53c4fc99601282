using static TorchSharp.torch;

namespace InterpKernel.Components;

/// <summary>
/// The inverse frequencies of rotary embeddings, default or scaled (<c>linear</c>, <c>dynamic</c>, <c>llama3</c>,
/// <c>yarn</c>), computed in float32 in the order Hugging Face computes them so positions match bit for bit.
/// </summary>
internal static class RotaryFrequencies
{
    /// <summary>Default inverse frequencies <c>1 / base^(2i / dims)</c>, <c>[dims / 2]</c> float32.</summary>
    public static Tensor Default(int dims, double theBase) =>
        1.0 / pow(theBase, arange(0, dims, 2, ScalarType.Int64).to(ScalarType.Float32) / dims);

    /// <summary>
    /// The inverse frequencies for <paramref name="scaling"/> and the factor on cos and sin (YaRN's attention factor,
    /// 1 otherwise). <paramref name="seqLen"/> matters only for dynamic scaling.
    /// </summary>
    public static (Tensor InvFreq, double AttentionFactor) Compute(int dims, double theBase, RopeScaling? scaling, int maxPositions, long seqLen)
    {
        if (scaling is null) return (Default(dims, theBase), 1.0);
        double factor = scaling.Factor;
        switch (scaling.Type)
        {
            case "linear":
                return (Default(dims, theBase) / factor, 1.0);
            case "dynamic":
            {
                int original = scaling.OriginalMaxPositions ?? maxPositions;
                if (seqLen <= original) return (Default(dims, theBase), 1.0);
                double b = theBase * Math.Pow(factor * seqLen / original - (factor - 1), dims / (dims - 2.0));
                return (Default(dims, b), 1.0);
            }
            case "llama3":
                return (Llama3(dims, theBase, scaling, maxPositions), 1.0);
            case "yarn":
                return Yarn(dims, theBase, scaling, maxPositions);
            default:
                throw new ArgumentException($"Rope scaling '{scaling.Type}' is not supported: use linear, dynamic, llama3 or yarn.", nameof(scaling));
        }
    }

    static Tensor Llama3(int dims, double theBase, RopeScaling s, int maxPositions)
    {
        var invFreq = Default(dims, theBase);
        double oldContext = s.OriginalMaxPositions ?? maxPositions;
        double lowWavelen = oldContext / s.LowFreqFactor, highWavelen = oldContext / s.HighFreqFactor;
        var wavelen = 2 * Math.PI / invFreq;
        // Long wavelengths are interpolated by the factor, short ones kept, the band between blended smoothly.
        var scaled = where(wavelen > lowWavelen, invFreq / s.Factor, invFreq);
        var smooth = (oldContext / wavelen - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
        var smoothed = (1 - smooth) * scaled / s.Factor + smooth * scaled;
        var medium = (wavelen < highWavelen).logical_not().logical_and((wavelen > lowWavelen).logical_not());
        return where(medium, smoothed, scaled);
    }

    static (Tensor, double) Yarn(int dims, double theBase, RopeScaling s, int maxPositions)
    {
        double factor = s.Factor;
        int original = maxPositions;
        if (s.OriginalMaxPositions is { } o)
        {
            // Configs that raise max_position_embeddings and keep the pretrained length derive the factor from both.
            original = o;
            factor = (double)maxPositions / o;
        }
        static double MScale(double scale, double m = 1) => scale <= 1 ? 1.0 : 0.1 * m * Math.Log(scale) + 1.0;
        double attention = s.AttentionFactor
            ?? (s.MScale is { } ms && ms != 0 && s.MScaleAllDim is { } mad && mad != 0 ? MScale(factor, ms) / MScale(factor, mad) : MScale(factor));
        double CorrectionDim(double rotations) => dims * Math.Log(original / (rotations * 2 * Math.PI)) / (2 * Math.Log(theBase));
        double low = CorrectionDim(s.BetaFast), high = CorrectionDim(s.BetaSlow);
        if (s.Truncate) { low = Math.Floor(low); high = Math.Ceiling(high); }
        low = Math.Max(low, 0);
        high = Math.Min(high, dims - 1);
        if (low == high) high += 0.001;
        var ramp = ((arange(dims / 2, ScalarType.Float32) - low) / (high - low)).clamp(0, 1);
        var extrapolationFactor = 1 - ramp;
        var posFreqs = pow(theBase, arange(0, dims, 2, ScalarType.Int64).to(ScalarType.Float32) / dims);
        var extrapolation = 1.0 / posFreqs;
        var interpolation = 1.0 / (factor * posFreqs);
        var invFreq = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
        return (invFreq, attention);
    }
}
