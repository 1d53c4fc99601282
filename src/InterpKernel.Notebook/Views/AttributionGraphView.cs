using System.Globalization;
using System.Text;
using InterpKernel.Analysis;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// The kept part of a pruned <see cref="AttributionGraph"/>: the prompt's tokens along the bottom, one column per
/// position; embeddings in the lowest row, then each layer's features and error nodes, the logits at the top. Edges
/// have width by absolute weight and colour by sign (red positive, blue negative, as in <see cref="CircuitView"/>).
/// Hovering a node or an edge shows its scores; clicking a node highlights its incoming and outgoing edges and shows
/// its details (for a feature: layer, index, position, activation, influence, and its top examples when given).
/// </summary>
/// <example>
/// <code>
/// var graph = AttributionGraph.Compute(model, transcoders, model.ToTokens("And God said unto Moses"));
/// display(new AttributionGraphView(graph, graph.Prune(0.8, 0.98, maxNodes: 60)));
/// </code>
/// </example>
public sealed partial record AttributionGraphView : ISvgView
{
    /// <summary>
    /// Creates the view of the nodes and edges that <paramref name="pruning"/> keeps (by default
    /// <see cref="AttributionGraph.Prune(double, double, int?, int?)"/> with its default thresholds); the graph's
    /// numbers are copied, so the view outlives it.
    /// </summary>
    /// <param name="graph">The graph to draw.</param>
    /// <param name="pruning">Which nodes and edges to draw; it must come from <paramref name="graph"/>.</param>
    /// <param name="title">The caption; by default the counts of nodes and edges and the top logit.</param>
    /// <param name="examples">Top activating examples of features, by (layer, feature index), shown when a feature is clicked.</param>
    /// <param name="maxEdges">The most edges drawn, largest absolute weight first.</param>
    public AttributionGraphView(AttributionGraph graph, AttributionPruning? pruning = null, string? title = null,
        IReadOnlyDictionary<(int Layer, int Feature), IReadOnlyList<FeatureExample>>? examples = null, int maxEdges = 500)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (maxEdges < 1) throw new ArgumentException($"maxEdges must be at least 1, got {maxEdges}.", nameof(maxEdges));
        pruning ??= graph.Prune();
        if (pruning.NodeMask.Count != graph.Nodes.Count)
            throw new ArgumentException($"The pruning has {pruning.NodeMask.Count} nodes but the graph has {graph.Nodes.Count}: prune this graph.", nameof(pruning));

        var kept = Enumerable.Range(0, graph.Nodes.Count).Where(i => pruning.NodeMask[i]).ToArray();
        var index = new Dictionary<int, int>();
        var nodes = new List<GraphNode>();
        foreach (int i in kept)
        {
            var n = graph.Nodes[i];
            index[i] = nodes.Count;
            string token = n.Kind switch
            {
                AttributionNodeKind.Embedding => graph.PromptTokens[n.Position],
                AttributionNodeKind.Logit => graph.LogitTokens[i - graph.FirstLogit],
                _ => "",
            };
            nodes.Add(new GraphNode(graph.NodeId(i), n.Kind, n.Layer, n.Position, n.Feature, token, n.Activation,
                n.Probability, pruning.Influence[i], graph.Value(i)));
        }

        var edges = new List<GraphEdge>();
        foreach (int t in kept)
        {
            var row = graph.Row(t);
            foreach (int s in kept)
            {
                if (row[s] != 0 && pruning.KeepsEdge(t, s)) edges.Add(new GraphEdge(index[s], index[t], row[s]));
            }
        }

        Nodes = nodes.ToArray();
        Edges = edges.OrderByDescending(e => Math.Abs(e.Weight)).Take(maxEdges).ToArray();
        EdgeCount = edges.Count;
        Layers = graph.Layers;
        PromptTokens = graph.PromptTokens.ToArray();
        Examples = (examples ?? new Dictionary<(int, int), IReadOnlyList<FeatureExample>>()).ToDictionary(e => e.Key, e => e.Value);
        string top = graph.LogitCount == 0 ? "" : string.Create(CultureInfo.InvariantCulture,
            $"; top logit \"{Shown(graph.LogitTokens[0])}\" (p={graph.Nodes[graph.FirstLogit].Probability:0.###})");
        Title = title ?? $"Attribution graph: {Nodes.Length} of {graph.Nodes.Count} nodes, {EdgeCount} edges{top}";
    }

    /// <summary>A drawn node.</summary>
    /// <param name="Id">The node's id in the graph file (<c>{layer}_{feature}_{pos}</c>, <c>err_{layer}_{pos}</c>, <c>E_{token}_{pos}</c>, ...).</param>
    /// <param name="Kind">Feature, error, embedding or logit.</param>
    /// <param name="Layer">The layer of a feature or error; -1 for embeddings, the layer count for logits.</param>
    /// <param name="Position">The prompt position.</param>
    /// <param name="Feature">A feature's index in its transcoder, else -1.</param>
    /// <param name="Token">The token of an embedding or logit, else empty.</param>
    /// <param name="Activation">A feature's activation.</param>
    /// <param name="Probability">A logit's probability.</param>
    /// <param name="Influence">The node's influence on the logits.</param>
    /// <param name="Value">What the node computes: a feature's pre-activation, a logit minus the mean logit.</param>
    public sealed record GraphNode(string Id, AttributionNodeKind Kind, int Layer, int Position, int Feature, string Token,
        double Activation, double Probability, double Influence, double Value);

    /// <summary>A drawn edge between two of <see cref="Nodes"/>.</summary>
    /// <param name="Source">The index of the source in <see cref="Nodes"/>.</param>
    /// <param name="Target">The index of the target in <see cref="Nodes"/>.</param>
    /// <param name="Weight">The direct effect of the source on the target.</param>
    public sealed record GraphEdge(int Source, int Target, double Weight);

    /// <summary>The caption.</summary>
    public string Title { get; }

    /// <summary>The kept nodes, in the graph's order.</summary>
    public GraphNode[] Nodes { get; }

    /// <summary>The edges drawn, largest absolute weight first.</summary>
    public GraphEdge[] Edges { get; }

    /// <summary>The number of kept edges (more than <see cref="Edges"/> when they were capped).</summary>
    public int EdgeCount { get; }

    /// <summary>The number of transcoder layers.</summary>
    public int Layers { get; }

    /// <summary>The prompt's tokens.</summary>
    public string[] PromptTokens { get; }

    /// <summary>Top activating examples of features, by (layer, feature index).</summary>
    public IReadOnlyDictionary<(int Layer, int Feature), IReadOnlyList<FeatureExample>> Examples { get; }

    /// <summary>A node's short label: <c>L1 f42</c>, <c>L0 err</c>, or its token.</summary>
    public static string Label(GraphNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Kind switch
        {
            AttributionNodeKind.Feature => $"L{node.Layer} f{node.Feature}",
            AttributionNodeKind.Error => $"L{node.Layer} err",
            _ => Shown(node.Token),
        };
    }

    /// <summary>A node's scores as one line, as its hover text shows them.</summary>
    public static string Describe(GraphNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        string where = $"@{node.Position}";
        return node.Kind switch
        {
            AttributionNodeKind.Feature => $"feature {node.Feature} of layer {node.Layer} {where}: activation {HtmlText.Number(node.Activation)}, influence {HtmlText.Number(node.Influence)}",
            AttributionNodeKind.Error => $"error of layer {node.Layer} {where}: influence {HtmlText.Number(node.Influence)}",
            AttributionNodeKind.Embedding => $"embedding \"{Shown(node.Token)}\" {where}: influence {HtmlText.Number(node.Influence)}",
            _ => $"logit \"{Shown(node.Token)}\": p={HtmlText.Number(node.Probability)}, logit − mean {HtmlText.Number(node.Value)}",
        };
    }

    /// <inheritdoc />
    public string ToPlainText()
    {
        var text = new StringBuilder(Title).AppendLine();
        text.AppendLine("tokens: " + string.Join(" ", PromptTokens.Select((t, i) => $"{i}:{Shown(t)}")));
        foreach (var e in Edges)
        {
            text.AppendLine($"{Label(Nodes[e.Source])} @{Nodes[e.Source].Position} -> {Label(Nodes[e.Target])} @{Nodes[e.Target].Position}  {HtmlText.Number(e.Weight)}");
        }
        if (Edges.Length < EdgeCount) text.AppendLine($"... {EdgeCount - Edges.Length} smaller edges not drawn");
        return text.ToString();
    }

    /// <summary>A token as it is shown: newlines and other control characters made visible, never empty.</summary>
    internal static string Shown(string token) =>
        new(HtmlText.Token(token).Select(c => char.IsControl(c) ? '\uFFFD' : c).ToArray());
}
