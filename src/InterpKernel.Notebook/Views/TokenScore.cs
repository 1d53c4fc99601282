namespace InterpKernel.Notebook.Views;

/// <summary>A token with a score, such as how much a feature's output direction raises or lowers its logit.</summary>
/// <param name="Token">The token as text.</param>
/// <param name="Score">The score.</param>
public sealed record TokenScore(string Token, float Score);
