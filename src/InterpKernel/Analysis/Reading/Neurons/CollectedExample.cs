namespace InterpKernel.Analysis;

/// <summary>One example a <see cref="TopExampleCollector"/> holds, before its context is decoded.</summary>
/// <param name="Activation">The activation at the token.</param>
/// <param name="Document">The prompt or chunk index.</param>
/// <param name="Position">The token's position in its chunk.</param>
/// <param name="Line">The 1-based line in a text file, else <c>null</c>.</param>
/// <param name="Context">Token ids around the token (BOS excluded).</param>
/// <param name="Marked">Where the token is within <paramref name="Context"/>.</param>
/// <param name="Order">When it was offered: on equal activations the earlier example ranks higher.</param>
/// <param name="Source">The file it came from, when known.</param>
/// <param name="ContextActivations">The activation at each position of <paramref name="Context"/>, when the scan gave them.</param>
public sealed record CollectedExample(float Activation, long Document, int Position, int? Line, int[] Context, int Marked, long Order, string? Source,
                                      float[]? ContextActivations = null);
