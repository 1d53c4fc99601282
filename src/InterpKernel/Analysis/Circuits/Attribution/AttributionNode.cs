namespace InterpKernel.Analysis;

/// <summary>A node of an <see cref="AttributionGraph"/>.</summary>
/// <param name="Kind">What the node stands for.</param>
/// <param name="Layer">The transcoder layer of a feature or error node; -1 for embeddings, the layer count for logits.</param>
/// <param name="Position">The prompt position.</param>
/// <param name="Feature">The feature index of a feature node, else -1.</param>
/// <param name="TokenId">The token of an embedding or logit node, else -1.</param>
/// <param name="Activation">The activation of a feature node on the clean run, else 0.</param>
/// <param name="Probability">The probability of a logit node's token, else 0.</param>
public sealed record AttributionNode(AttributionNodeKind Kind, int Layer, int Position, int Feature, long TokenId, double Activation, double Probability)
{
    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        AttributionNodeKind.Feature => $"L{Layer} f{Feature} @{Position} ({Activation:0.###})",
        AttributionNodeKind.Error => $"L{Layer} error @{Position}",
        AttributionNodeKind.Embedding => $"embedding {TokenId} @{Position}",
        _ => $"logit {TokenId} (p={Probability:0.###})",
    };
}
