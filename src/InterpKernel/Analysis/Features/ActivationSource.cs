namespace InterpKernel.Analysis;

/// <summary>Where one row of collected activations came from.</summary>
/// <param name="Prompt">Index of the prompt (or token sequence) in the collected set.</param>
/// <param name="Position">Token position within that prompt (BOS is position 0 when prepended).</param>
/// <param name="Token">The token at that position, as a string.</param>
public sealed record ActivationSource(int Prompt, int Position, string Token);
