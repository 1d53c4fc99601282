namespace InterpKernel;

/// <summary>
/// A rotary-embedding scaling scheme from a Hugging Face config's <c>rope_parameters</c> (or older
/// <c>rope_scaling</c>): <c>linear</c>, <c>dynamic</c> (NTK), <c>llama3</c> or <c>yarn</c>.
/// </summary>
public sealed record RopeScaling
{
    /// <summary>The scheme: <c>linear</c>, <c>dynamic</c>, <c>llama3</c> or <c>yarn</c>.</summary>
    public required string Type { get; init; }
    /// <summary>How much longer the context becomes (<c>factor</c>).</summary>
    public double Factor { get; init; } = 1.0;
    /// <summary>The context the model was pretrained with (<c>original_max_position_embeddings</c>).</summary>
    public int? OriginalMaxPositions { get; init; }
    /// <summary>Llama 3: wavelengths longer than <c>original / low_freq_factor</c> are fully interpolated.</summary>
    public double LowFreqFactor { get; init; } = 1.0;
    /// <summary>Llama 3: wavelengths shorter than <c>original / high_freq_factor</c> are kept.</summary>
    public double HighFreqFactor { get; init; } = 4.0;
    /// <summary>YaRN: the multiplier on cos and sin (<c>attention_factor</c>); derived from the factor when absent.</summary>
    public double? AttentionFactor { get; init; }
    /// <summary>YaRN: rotations at which extrapolation starts (<c>beta_fast</c>).</summary>
    public double BetaFast { get; init; } = 32;
    /// <summary>YaRN: rotations at which interpolation is complete (<c>beta_slow</c>).</summary>
    public double BetaSlow { get; init; } = 1;
    /// <summary>YaRN: <c>mscale</c>, used with <see cref="MScaleAllDim"/> to derive the attention factor.</summary>
    public double? MScale { get; init; }
    /// <summary>YaRN: <c>mscale_all_dim</c>.</summary>
    public double? MScaleAllDim { get; init; }
    /// <summary>YaRN: whether the correction range is rounded to whole dimensions (<c>truncate</c>).</summary>
    public bool Truncate { get; init; } = true;
}
