namespace InterpKernel.Analysis;

/// <summary>A position in a text where the target is high.</summary>
/// <param name="Line">Index of the line in the text.</param>
/// <param name="Position">Token position within the line (BOS is 0).</param>
/// <param name="Token">The token there.</param>
/// <param name="Context">The line's text up to and including that token.</param>
/// <param name="Activation">The target's value there.</param>
public sealed record TextExample(int Line, int Position, string Token, string Context, double Activation);
