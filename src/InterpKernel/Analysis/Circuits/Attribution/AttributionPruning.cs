namespace InterpKernel.Analysis;

/// <summary>
/// Which nodes and edges of an <see cref="AttributionGraph"/> survive pruning by influence on the logits, and each
/// node's influence. Returned by <see cref="AttributionGraph.Prune(double, double, int?, int?)"/>.
/// </summary>
public sealed class AttributionPruning
{
    readonly bool[] _edges; // [n, n], row = target, column = source

    internal AttributionPruning(bool[] nodes, bool[] edges, double[] influence, double[] cumulative, double nodeThreshold, double edgeThreshold)
    {
        NodeMask = nodes;
        _edges = edges;
        Influence = influence;
        CumulativeInfluence = cumulative;
        NodeThreshold = nodeThreshold;
        EdgeThreshold = edgeThreshold;
    }

    /// <summary>Whether each node is kept (embeddings and logits always are).</summary>
    public IReadOnlyList<bool> NodeMask { get; }

    /// <summary>
    /// Each node's influence on the logits: the sum over paths to every logit node of the products of row-normalised
    /// absolute edge weights, weighted by the logit's probability.
    /// </summary>
    public IReadOnlyList<double> Influence { get; }

    /// <summary>
    /// For each node, the fraction of all influence held by the nodes at least as influential as it (the most
    /// influential node has the smallest value); the <c>influence</c> field of the graph file.
    /// </summary>
    public IReadOnlyList<double> CumulativeInfluence { get; }

    /// <summary>The fraction of influence the node pruning aimed to keep.</summary>
    public double NodeThreshold { get; }

    /// <summary>The fraction of edge influence the edge pruning aimed to keep.</summary>
    public double EdgeThreshold { get; }

    /// <summary>The number of nodes kept.</summary>
    public int NodeCount => NodeMask.Count(k => k);

    /// <summary>The number of edges kept.</summary>
    public int EdgeCount => _edges.Count(k => k);

    /// <summary>Whether the edge from <paramref name="source"/> to <paramref name="target"/> is kept.</summary>
    public bool KeepsEdge(int target, int source) => _edges[(long)target * NodeMask.Count + source];
}
