namespace InterpKernel.Analysis;

/// <summary>A token sequence and the target's value at its last token.</summary>
/// <param name="Tokens">Token ids, BOS first when the model has one.</param>
/// <param name="StrTokens">The tokens as strings.</param>
/// <param name="Text">The text of the tokens after BOS.</param>
/// <param name="Activation">The target's value at the last token.</param>
public sealed record MaximisedSequence(IReadOnlyList<int> Tokens, IReadOnlyList<string> StrTokens, string Text, double Activation);
