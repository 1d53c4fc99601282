namespace InterpKernel.Analysis;

/// <summary>The same prompt continued without and with an edit (steering, ablation, an SAE), from the same seed.</summary>
/// <param name="Prompt">The prompt.</param>
/// <param name="Without">The continuation of the unedited model (prompt included).</param>
/// <param name="With">The continuation with the edit in place (prompt included).</param>
public sealed record SideBySideGeneration(string Prompt, string Without, string With)
{
    /// <summary>Continues <paramref name="prompt"/> twice with the same settings, the second time inside the scope <paramref name="edit"/> opens.</summary>
    /// <example>
    /// <code>
    /// var shown = SideBySideGeneration.Generate(model, "And God said", m => m.Steer("blocks.1.hook_resid_pre", dir, 4f), 20, temperature: 0.8f, seed: 1);
    /// Console.WriteLine(shown);
    /// </code>
    /// </example>
    public static SideBySideGeneration Generate(HookedTransformer model, string prompt, Func<HookedTransformer, IDisposable> edit,
        int maxNewTokens, float temperature = 0f, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(edit);
        string without = model.Generate(prompt, maxNewTokens, temperature, seed);
        string with;
        using (edit(model)) with = model.Generate(prompt, maxNewTokens, temperature, seed);
        return new SideBySideGeneration(prompt, without, with);
    }

    /// <inheritdoc />
    public override string ToString() => $"without: {Without}{Environment.NewLine}with:    {With}";
}
