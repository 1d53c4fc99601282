namespace InterpKernel.Analysis;

/// <summary>
/// The direct effects between the nodes of a replacement model on one prompt, as in circuit tracing: active
/// transcoder features, error nodes, embeddings and the most likely next-token logits. Nodes are ordered features
/// (by layer, position, feature), errors (by layer, then position), embeddings (by position), logits (most likely
/// first). <c>this[target, source]</c> is the direct effect of the source on the target through the frozen
/// replacement model: on a feature, its pre-activation; on a logit, the logit minus the mean logit over the vocabulary.
/// </summary>
/// <remarks>
/// For every target row, <see cref="Value(int)"/> equals the sum of the row plus <see cref="Bias(int)"/>: the part of
/// the target that no node causes (the biases of attention, normalisations, transcoder decoders and encoders, and
/// the unembedding, carried along the frozen paths).
/// </remarks>
/// <example>
/// <code>
/// var graph = AttributionGraph.Compute(model, transcoders, model.ToTokens("And God said unto Moses"));
/// var pruned = graph.Prune(nodeThreshold: 0.8, edgeThreshold: 0.98);
/// File.WriteAllText("moses.json", graph.ToJson("moses", pruned));
/// </code>
/// </example>
public sealed partial class AttributionGraph
{
    readonly float[] _adjacency; // [n, n], row = target, column = source
    readonly double[] _values, _bias;

    internal AttributionGraph(AttributionNode[] nodes, float[] adjacency, double[] values, double[] bias, long[] tokens,
                     string[] promptTokens, string[] logitTokens, int layers, int[] featureCounts)
    {
        Nodes = nodes;
        _adjacency = adjacency;
        _values = values;
        _bias = bias;
        Tokens = tokens;
        PromptTokens = promptTokens;
        LogitTokens = logitTokens;
        Layers = layers;
        FeatureCounts = featureCounts;
        FeatureCount = nodes.Count(n => n.Kind == AttributionNodeKind.Feature);
        ErrorCount = nodes.Count(n => n.Kind == AttributionNodeKind.Error);
        EmbeddingCount = nodes.Count(n => n.Kind == AttributionNodeKind.Embedding);
        LogitCount = nodes.Count(n => n.Kind == AttributionNodeKind.Logit);
    }

    /// <summary>The nodes: features, errors, embeddings, logits.</summary>
    public IReadOnlyList<AttributionNode> Nodes { get; }

    /// <summary>The prompt's token ids.</summary>
    public IReadOnlyList<long> Tokens { get; }

    /// <summary>The prompt's tokens as text (the ids as text when the model has no tokenizer).</summary>
    public IReadOnlyList<string> PromptTokens { get; }

    /// <summary>The text of each logit node's token, most likely first.</summary>
    public IReadOnlyList<string> LogitTokens { get; }

    /// <summary>The number of layers (transcoders).</summary>
    public int Layers { get; }

    /// <summary>The number of features of each layer's transcoder.</summary>
    public IReadOnlyList<int> FeatureCounts { get; }

    /// <summary>The number of feature nodes (they come first).</summary>
    public int FeatureCount { get; }

    /// <summary>The number of error nodes (layers × positions).</summary>
    public int ErrorCount { get; }

    /// <summary>The number of embedding nodes (positions).</summary>
    public int EmbeddingCount { get; }

    /// <summary>The number of logit nodes (they come last).</summary>
    public int LogitCount { get; }

    /// <summary>The index of the first logit node.</summary>
    public int FirstLogit => Nodes.Count - LogitCount;

    /// <summary>The direct effect of node <paramref name="source"/> on node <paramref name="target"/>.</summary>
    public float this[int target, int source] => _adjacency[(long)CheckNode(target) * Nodes.Count + CheckNode(source)];

    /// <summary>
    /// What target <paramref name="node"/> computes on the clean run: a feature's pre-activation, or a logit minus the
    /// mean logit; 0 for errors and embeddings, which have no inputs.
    /// </summary>
    public double Value(int node) => _values[CheckNode(node)];

    /// <summary>The part of <see cref="Value(int)"/> that comes from biases rather than from any node.</summary>
    public double Bias(int node) => _bias[CheckNode(node)];

    /// <summary>The row of direct effects on <paramref name="target"/>, one per source node.</summary>
    public ReadOnlySpan<float> Row(int target) => _adjacency.AsSpan(CheckNode(target) * Nodes.Count, Nodes.Count);

    /// <summary>The index of the error node of <paramref name="layer"/> at <paramref name="position"/>.</summary>
    public int ErrorIndex(int layer, int position) => FeatureCount + layer * EmbeddingCount + position;

    /// <summary>The index of the embedding node at <paramref name="position"/>.</summary>
    public int EmbeddingIndex(int position) => FeatureCount + ErrorCount + position;

    /// <summary>The index of the feature node (<paramref name="layer"/>, <paramref name="position"/>, <paramref name="feature"/>), or -1 when that feature is not active.</summary>
    public int FeatureIndex(int layer, int position, int feature)
    {
        for (int i = 0; i < FeatureCount; i++)
        {
            var n = Nodes[i];
            if (n.Layer == layer && n.Position == position && n.Feature == feature) return i;
        }
        return -1;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"AttributionGraph: {FeatureCount} features, {ErrorCount} errors, {EmbeddingCount} embeddings, {LogitCount} logits" +
        (LogitCount > 0 ? $" (top: \"{LogitTokens[0]}\", p={Nodes[FirstLogit].Probability:0.###})" : "");

    int CheckNode(int node) => node >= 0 && node < Nodes.Count ? node
        : throw new ArgumentOutOfRangeException(nameof(node), node, $"node {node} does not exist: the graph has {Nodes.Count} nodes.");
}
