namespace InterpKernel.Kernel.Execution;

/// <summary>Completions for the word at the cursor.</summary>
/// <param name="Matches">Candidate names that start with the typed prefix, sorted.</param>
/// <param name="CursorStart">Start of the text the chosen match replaces.</param>
/// <param name="CursorEnd">End of the text the chosen match replaces.</param>
public sealed record CompletionResult(IReadOnlyList<string> Matches, int CursorStart, int CursorEnd);
