namespace InterpKernel.Sweeps;

/// <summary>One line of a sweep's pairs file: a clean and a corrupted prompt of equal token length, and the two answers compared.</summary>
/// <param name="Clean">The prompt whose activations are patched in.</param>
/// <param name="Corrupt">The prompt run with patches.</param>
/// <param name="Answer">The answer token the clean prompt favours (one token, e.g. <c>" Isaac"</c>).</param>
/// <param name="Wrong">The answer token the corrupted prompt favours.</param>
public sealed record PromptPair(string Clean, string Corrupt, string Answer, string Wrong);
