namespace InterpKernel.Notebook.Views;

/// <summary>One text where a feature (neuron, SAE latent) fires: its tokens and the feature's activation on each.</summary>
/// <param name="Tokens">The tokens as text.</param>
/// <param name="Activations">The feature's activation on each token.</param>
public sealed record FeatureExample(string[] Tokens, float[] Activations)
{
    /// <summary>The tokens, checked against the activations.</summary>
    public string[] Tokens { get; } = Tokens ?? throw new ArgumentNullException(nameof(Tokens));

    /// <summary>One activation per token.</summary>
    public float[] Activations { get; } = Activations is null
        ? throw new ArgumentNullException(nameof(Activations))
        : Activations.Length == Tokens.Length
            ? Activations
            : throw new ArgumentException($"an example with {Tokens.Length} tokens needs {Tokens.Length} activations, got {Activations.Length}.", nameof(Activations));

    /// <summary>The example as the graph views' script reads it: shown tokens and finite activations.</summary>
    internal object ToScriptData() => new
    {
        tokens = Tokens.Select(AttributionGraphView.Shown).ToArray(),
        activations = Activations.Select(a => float.IsFinite(a) ? (double)a : 0).ToArray(),
    };

    /// <summary>The position where the activation is largest; this token is marked in the dashboard.</summary>
    public int PeakPosition => Activations.Length == 0 ? -1 : Array.IndexOf(Activations, Activations.Max());
}
