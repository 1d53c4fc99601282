using System.Globalization;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// The top examples of a circuit's nodes: for each attention head and MLP, the tokens where it writes the most into
/// the residual stream (the L2 norm of its output at that token), with the context around them, found in one streamed
/// pass over a <see cref="TokenSource"/>. A circuit view shows a node's examples when the node is clicked.
/// </summary>
/// <example>
/// <code>
/// var examples = CircuitNodeExamples.Collect(model, circuit, TokenSource.FromTextFile(model, "data/text/genesis.txt"));
/// display(new CircuitView(circuit, examples: examples));
/// </code>
/// </example>
public static class CircuitNodeExamples
{
    /// <summary>
    /// The top <paramref name="k"/> examples of every head and MLP node (only those in the circuit unless
    /// <paramref name="circuitOnly"/> is false), by node name. <c>input</c> and <c>logits</c> have none.
    /// </summary>
    /// <param name="model">The model the graph was built for.</param>
    /// <param name="graph">The circuit.</param>
    /// <param name="source">The text to search.</param>
    /// <param name="k">Examples per node.</param>
    /// <param name="window">Tokens of context on each side.</param>
    /// <param name="circuitOnly">Whether nodes outside the circuit are skipped.</param>
    /// <param name="maxTokens">The most tokens read from <paramref name="source"/>; all when null.</param>
    public static IReadOnlyDictionary<string, IReadOnlyList<ActivatingExample>> Collect(HookedTransformer model, CircuitGraph graph, TokenSource source,
        int k = 5, int window = 8, bool circuitOnly = true, long? maxTokens = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(source);
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "give at least one example per node.");
        if (window < 0) throw new ArgumentOutOfRangeException(nameof(window), window, "the context window is a count of tokens ≥ 0.");
        if (graph.Layers != model.Config.NLayers || graph.Heads != model.Config.NHeads)
            throw new ArgumentException(
                $"the graph has {graph.Layers} layers of {graph.Heads} heads, the model {model.Config.NLayers} of {model.Config.NHeads}: give the graph built for this model.",
                nameof(graph));
        var nodes = graph.Nodes.Where(n => n.Kind is CircuitNodeKind.AttentionHead or CircuitNodeKind.Mlp && (!circuitOnly || n.InCircuit)).ToList();
        if (nodes.Count == 0) return new Dictionary<string, IReadOnlyList<ActivatingExample>>(StringComparer.Ordinal);
        var sites = nodes.Select(n => Site(model, n)).ToList();
        var options = new ScanOptions { TopK = k, Window = window, MaxTokens = maxTokens, ReservoirSize = 1, RangeSample = 1 };
        var statistics = sites.Select(_ => ActivationScan.NewStatistics(options)).ToList();
        var top = sites.Select(_ => ActivationScan.NewCollector(options)).ToList();
        if (ActivationScan.Accumulate(model, sites, source, options, statistics, top) == 0)
            throw new ArgumentException($"{source.Description} holds no tokens to search.", nameof(source));
        return nodes.Select((n, i) => (n.Name, Examples: top[i].Results(model)))
            .ToDictionary(x => x.Name, x => x.Examples, StringComparer.Ordinal);
    }

    /// <summary>
    /// What a node's examples are ranked by: the norm of its output per token (a head's <c>z · W_O[head]</c> from
    /// <c>hook_z</c>, an MLP's <c>hook_mlp_out</c>).
    /// </summary>
    public static ActivationSite Site(HookedTransformer model, CircuitNode node)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(node);
        string layer = node.Layer.ToString(CultureInfo.InvariantCulture);
        return node.Kind switch
        {
            CircuitNodeKind.AttentionHead => ActivationSite.Computed($"blocks.{layer}.attn.hook_z",
                z => z.select(2, node.Head).matmul(model.Blocks[node.Layer].Attn.WO[node.Head]).norm(-1), $"output norm of {node.Name}"),
            CircuitNodeKind.Mlp => ActivationSite.Computed($"blocks.{layer}.hook_mlp_out", a => a.norm(-1), $"output norm of {node.Name}"),
            _ => throw new ArgumentException($"{node.Name} writes no output of its own to rank: pick an attention head or an MLP.", nameof(node)),
        };
    }
}
