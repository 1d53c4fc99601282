namespace InterpKernel.Analysis;

/// <summary>A token with a score, such as how much a feature's output raises its logit.</summary>
/// <param name="Token">The token as text.</param>
/// <param name="Score">The score.</param>
public sealed record ScoredToken(string Token, float Score);
