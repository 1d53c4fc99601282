namespace InterpKernel.Analysis;

/// <summary>
/// A run of token ids the model reads in one row: BOS (when the model has one) then up to <c>n_ctx − 1</c> tokens.
/// </summary>
/// <param name="Ids">Token ids, BOS first when <paramref name="StartsWithBos"/>.</param>
/// <param name="Document">The prompt index (prompt sets) or chunk index (text files).</param>
/// <param name="Offset">Position of the first token after BOS in the prompt (prompt sets) or in the whole file (text files).</param>
/// <param name="Lines">For text files, the 1-based line number of each id; otherwise <c>null</c>.</param>
/// <param name="StartsWithBos">Whether <c>Ids[0]</c> is a BOS token the scan should skip.</param>
/// <param name="Source">The file the chunk was read from, when it came from one.</param>
public sealed record TokenChunk(int[] Ids, long Document, int Offset, int[]? Lines, bool StartsWithBos, string? Source = null);
