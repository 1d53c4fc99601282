namespace InterpKernel.Analysis;

/// <summary>What a node of an <see cref="AttributionGraph"/> stands for.</summary>
public enum AttributionNodeKind
{
    /// <summary>A transcoder feature active at one position.</summary>
    Feature,
    /// <summary>What the transcoder of one layer misses at one position (true MLP output minus its prediction).</summary>
    Error,
    /// <summary>The residual stream entering block 0 at one position: token plus position embedding.</summary>
    Embedding,
    /// <summary>One of the most likely next tokens at the last position.</summary>
    Logit,
}
