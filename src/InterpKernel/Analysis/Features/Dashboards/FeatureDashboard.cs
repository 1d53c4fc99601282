namespace InterpKernel.Analysis;

/// <summary>
/// What a feature (an MLP neuron or an SAE latent) does, from <see cref="FeatureDashboards"/>: its scan over a text
/// (distribution and top activating contexts, each with the feature's value on every token) and the tokens its output
/// promotes and suppresses through the unembedding.
/// </summary>
/// <param name="Title">What the feature is and what it was read on.</param>
/// <param name="Scan">The scan: statistics and top examples, with <see cref="ActivatingExample.ContextActivations"/>.</param>
/// <param name="Promoted">Tokens whose logits the feature raises most, strongest first.</param>
/// <param name="Suppressed">Tokens whose logits it lowers most, strongest first (negative scores).</param>
public sealed record FeatureDashboard(string Title, ActivationScanResult Scan, IReadOnlyList<ScoredToken> Promoted, IReadOnlyList<ScoredToken> Suppressed);
