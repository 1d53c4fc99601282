namespace InterpKernel.Analysis;

/// <summary>
/// The shape and wiring of a <see cref="SparseAutoencoder"/>, as SAELens's <c>cfg.json</c> records it. A transcoder
/// is the same model with an output hook of its own (<see cref="HookNameOut"/>): it reads one activation, such as
/// <c>blocks.0.ln2.hook_normalized</c>, and predicts another, such as <c>blocks.0.hook_mlp_out</c>.
/// </summary>
/// <param name="Architecture">The activation function family.</param>
/// <param name="DIn">Width of the activation it reads (<c>d_in</c>).</param>
/// <param name="DSae">Number of features (<c>d_sae</c>).</param>
/// <param name="HookName">The model hook it reads and replaces, e.g. <c>blocks.1.hook_resid_pre</c>.</param>
public sealed record SaeConfig(SaeArchitecture Architecture, int DIn, int DSae, string HookName)
{
    /// <summary>For top-k SAEs, how many features stay active per token.</summary>
    public int? K { get; init; }

    /// <summary>Whether <c>b_dec</c> is subtracted from the input before encoding (SAELens's <c>apply_b_dec_to_input</c>).</summary>
    public bool ApplyBDecToInput { get; init; } = true;

    /// <summary>For a transcoder, the model hook whose activation it predicts and replaces when spliced in; null for an SAE.</summary>
    public string? HookNameOut { get; init; }

    /// <summary>For a transcoder, the width of what it predicts (<c>d_out</c>); null means <see cref="DIn"/>.</summary>
    public int? DOut { get; init; }

    /// <summary>Whether <c>W_skip [d_in, d_out]</c> adds a linear map of the input to the output (a skip transcoder).</summary>
    public bool HasSkip { get; init; }

    /// <summary>Whether this is a transcoder (it predicts another hook than it reads).</summary>
    public bool IsTranscoder => HookNameOut is not null;

    /// <summary>The hook the output replaces: <see cref="HookNameOut"/> for a transcoder, else <see cref="HookName"/>.</summary>
    public string OutputHookName => HookNameOut ?? HookName;

    /// <summary>The width of the output: <see cref="DOut"/>, else <see cref="DIn"/>.</summary>
    public int OutputWidth => DOut ?? DIn;

    /// <summary>The model the SAE was trained on, when known.</summary>
    public string? ModelName { get; init; }

    /// <summary>Checks the values and returns the config.</summary>
    public SaeConfig Validate()
    {
        if (DIn < 1) throw new ArgumentException($"d_in must be positive, but is {DIn}.", nameof(DIn));
        if (DSae < 1) throw new ArgumentException($"d_sae must be positive, but is {DSae}.", nameof(DSae));
        if (string.IsNullOrWhiteSpace(HookName)) throw new ArgumentException("hook_name is empty: name the model hook the SAE reads.", nameof(HookName));
        if (Architecture == SaeArchitecture.TopK && (K is not { } k || k < 1 || k > DSae))
            throw new ArgumentException($"A top-k SAE needs k between 1 and d_sae = {DSae}, but k is {K?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "missing"}.", nameof(K));
        if (DOut is < 1) throw new ArgumentException($"d_out must be positive, but is {DOut}.", nameof(DOut));
        if (HookNameOut is not null && string.IsNullOrWhiteSpace(HookNameOut))
            throw new ArgumentException("hook_name_out is blank: name the model hook the transcoder predicts, or leave it null for an SAE.", nameof(HookNameOut));
        if (!IsTranscoder && (DOut is { } d && d != DIn || HasSkip))
            throw new ArgumentException("d_out and a skip connection belong to transcoders: set HookNameOut to the hook the output replaces.", nameof(HookNameOut));
        if (IsTranscoder && ApplyBDecToInput)
            throw new ArgumentException("A transcoder's b_dec is on its output side and cannot be subtracted from its input: set ApplyBDecToInput = false.", nameof(ApplyBDecToInput));
        return this;
    }
}
