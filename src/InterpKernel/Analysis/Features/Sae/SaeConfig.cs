namespace InterpKernel.Analysis;

/// <summary>The shape and wiring of a <see cref="SparseAutoencoder"/>, as SAELens's <c>cfg.json</c> records it.</summary>
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
        return this;
    }
}
