namespace InterpKernel.Analysis;

/// <summary>Where in a batch of <see cref="TokenChunk"/> rows the scans read.</summary>
internal static class TokenChunkPositions
{
    /// <summary>For each chunk row, the positions a scan summarises (BOS skipped unless asked for; padding never).</summary>
    public static IEnumerable<(int Row, int Position)> Of(List<TokenChunk> chunks, bool includeBos)
    {
        for (int r = 0; r < chunks.Count; r++)
            for (int p = chunks[r].StartsWithBos && !includeBos ? 1 : 0; p < chunks[r].Ids.Length; p++)
                yield return (r, p);
    }
}
