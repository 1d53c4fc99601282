using System.Text.Json;
using System.Text.Json.Nodes;

namespace InterpKernel.Analysis;

/// <summary>
/// The computational graph of a transformer at the level of heads and MLPs, with a score and an in-circuit flag on
/// every edge. Nodes and edges carry the names the EAP-IG project uses (<c>a0.h4-&gt;a1.h1&lt;k&gt;</c>), so results
/// can be compared with it. In a grouped-query model every query head has its own query edges, while the key and
/// value inputs are shared as the model shares them: one receiver per key/value head, named <c>a{L}.g{G}&lt;k&gt;</c>,
/// feeding heads <c>G·n_heads/n_kv_heads</c> onwards.
/// </summary>
/// <example>
/// <code>
/// var graph = CircuitDiscovery.EdgeAttribution(model, clean, corrupt, metric, EdgeAttributionMethod.EapIg);
/// foreach (var e in graph.Top(20).Edges.Where(e => e.InCircuit)) Console.WriteLine(e);
/// File.WriteAllText("circuit.json", graph.ToJson());
/// </code>
/// </example>
public sealed class CircuitGraph
{
    readonly Dictionary<string, CircuitEdge> _byName;
    readonly CircuitEdge?[,] _bySlot;

    CircuitGraph(CircuitLayout layout)
    {
        Layout = layout;
        var nodes = new List<CircuitNode> { new("input", CircuitNodeKind.Input, -1, -1) };
        for (int l = 0; l < layout.Layers; l++)
        {
            for (int h = 0; h < layout.Heads; h++) nodes.Add(new($"a{l}.h{h}", CircuitNodeKind.AttentionHead, l, h));
            nodes.Add(new($"m{l}", CircuitNodeKind.Mlp, l, -1));
        }
        nodes.Add(new("logits", CircuitNodeKind.Logits, layout.Layers, -1));
        Nodes = nodes;
        var edges = new List<CircuitEdge>();
        _bySlot = new CircuitEdge?[layout.SenderCount, layout.ReceiverCount];
        for (int r = 0; r < layout.ReceiverCount; r++)
        {
            var rec = layout.Receivers[r];
            for (int s = 0; s < rec.Senders; s++)
            {
                var e = new CircuitEdge(layout.SenderNames[s], rec.Name, rec.Node, s, r);
                edges.Add(e);
                _bySlot[s, r] = e;
            }
        }
        Edges = edges;
        _byName = edges.ToDictionary(e => e.Name, StringComparer.Ordinal);
    }

    /// <summary>The graph of <paramref name="model"/>, every edge in the circuit with score 0.</summary>
    public static CircuitGraph For(HookedTransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return For(model.Config);
    }

    /// <summary>The graph of a model with configuration <paramref name="config"/>.</summary>
    public static CircuitGraph For(TransformerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new CircuitGraph(new CircuitLayout(config.NLayers, config.NHeads, config.KeyValueHeads, config.ParallelAttnMlp));
    }

    /// <summary>Every node: <c>input</c>, then per layer its heads and MLP, then <c>logits</c>.</summary>
    public IReadOnlyList<CircuitNode> Nodes { get; }

    /// <summary>Every edge, grouped by receiver in forward order.</summary>
    public IReadOnlyList<CircuitEdge> Edges { get; }

    /// <summary>Layers of the model the graph describes.</summary>
    public int Layers => Layout.Layers;

    /// <summary>Query heads per layer.</summary>
    public int Heads => Layout.Heads;

    /// <summary>Key/value heads per layer (fewer than <see cref="Heads"/> when keys and values are shared).</summary>
    public int KeyValueHeads => Layout.KvHeads;

    /// <summary>Whether attention and MLP read the same residual stream (so no edge runs from a layer's heads to its MLP).</summary>
    public bool ParallelAttnMlp => Layout.Parallel;

    /// <summary>The number of edges in the circuit.</summary>
    public int CircuitEdgeCount => Edges.Count(e => e.InCircuit);

    internal CircuitLayout Layout { get; }

    /// <summary>The edge called <paramref name="name"/> (<c>a0.h4-&gt;a1.h1&lt;k&gt;</c>).</summary>
    public CircuitEdge this[string name] => _byName.TryGetValue(name ?? throw new ArgumentNullException(nameof(name)), out var e)
        ? e
        : throw new ArgumentException(
            $"'{name}' is not an edge of this graph: edges are named 'sender->receiver' such as '{Edges[^1].Name}' or 'a0.h0->a1.h0<k>'.", nameof(name));

    /// <summary>The edge from <paramref name="from"/> to receiver input <paramref name="to"/>.</summary>
    public CircuitEdge Edge(string from, string to) => this[$"{from}->{to}"];

    /// <summary>Whether an edge called <paramref name="name"/> exists.</summary>
    public bool HasEdge(string name) => name is not null && _byName.ContainsKey(name);

    internal CircuitEdge? At(int sender, int receiver) => _bySlot[sender, receiver];

    /// <summary>Puts exactly the <paramref name="n"/> edges of largest absolute score in the circuit; returns this graph.</summary>
    public CircuitGraph Top(int n)
    {
        if (n < 0 || n > Edges.Count)
            throw new ArgumentOutOfRangeException(nameof(n), n, $"n must be 0 to {Edges.Count} (the graph's edge count).");
        var keep = Edges.OrderByDescending(e => Math.Abs(e.Score)).Take(n).ToHashSet();
        foreach (var e in Edges) e.InCircuit = keep.Contains(e);
        UpdateNodes();
        return this;
    }

    /// <summary>Puts in the circuit exactly the edges whose absolute score is at least <paramref name="threshold"/>; returns this graph.</summary>
    public CircuitGraph Threshold(double threshold)
    {
        if (double.IsNaN(threshold) || threshold < 0)
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "the threshold compares with absolute scores: give a number ≥ 0.");
        foreach (var e in Edges) e.InCircuit = Math.Abs(e.Score) >= threshold;
        UpdateNodes();
        return this;
    }

    /// <summary>The edges sorted by absolute score, largest first.</summary>
    public IReadOnlyList<CircuitEdge> Ranked() => Edges.OrderByDescending(e => Math.Abs(e.Score)).ToList();

    /// <summary>A copy with the same scores and circuit.</summary>
    public CircuitGraph Clone()
    {
        var copy = new CircuitGraph(Layout);
        for (int i = 0; i < Edges.Count; i++)
        {
            copy.Edges[i].Score = Edges[i].Score;
            copy.Edges[i].InCircuit = Edges[i].InCircuit;
        }
        copy.UpdateNodes();
        return copy;
    }

    internal void UpdateNodes()
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in Edges.Where(e => e.InCircuit))
        {
            used.Add(e.From);
            if (e.ToNode.Contains(".g", StringComparison.Ordinal)) // a shared key/value input feeds its group's heads
            {
                var r = Layout.Receivers[e.Receiver];
                foreach (var s in Layout.NodesFed(r)) used.Add(Layout.SenderNames[s]);
            }
            else used.Add(e.ToNode);
        }
        foreach (var n in Nodes) n.InCircuit = used.Contains(n.Name);
    }

    /// <summary>
    /// The graph as JSON in EAP-IG's layout: <c>cfg</c> (n_layers, n_heads, n_kv_heads, parallel_attn_mlp),
    /// <c>nodes</c> (name → in circuit) and <c>edges</c> (name → <c>score</c>, <c>in_graph</c>).
    /// </summary>
    public string ToJson()
    {
        var root = new JsonObject
        {
            ["cfg"] = new JsonObject
            {
                ["n_layers"] = Layers, ["n_heads"] = Heads, ["n_kv_heads"] = KeyValueHeads, ["parallel_attn_mlp"] = ParallelAttnMlp,
            },
        };
        var nodes = new JsonObject();
        foreach (var n in Nodes) nodes[n.Name] = n.InCircuit;
        var edges = new JsonObject();
        foreach (var e in Edges) edges[e.Name] = new JsonObject { ["score"] = e.Score, ["in_graph"] = e.InCircuit };
        root["nodes"] = nodes;
        root["edges"] = edges;
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Reads a graph written by <see cref="ToJson"/> (or by EAP-IG for a model without grouped keys).</summary>
    public static CircuitGraph FromJson(string json)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(json);
        var root = JsonNode.Parse(json) as JsonObject
            ?? throw new ArgumentException("the JSON must be an object with 'cfg' and 'edges', as ToJson writes it.", nameof(json));
        var cfg = root["cfg"] as JsonObject
            ?? throw new ArgumentException("the JSON has no 'cfg' object: it needs n_layers and n_heads.", nameof(json));
        int layers = cfg["n_layers"]?.GetValue<int>() ?? throw new ArgumentException("'cfg' lacks n_layers.", nameof(json));
        int heads = cfg["n_heads"]?.GetValue<int>() ?? throw new ArgumentException("'cfg' lacks n_heads.", nameof(json));
        int kv = cfg["n_kv_heads"]?.GetValue<int>() ?? heads;
        bool parallel = cfg["parallel_attn_mlp"]?.GetValue<bool>() ?? false;
        var graph = new CircuitGraph(new CircuitLayout(layers, heads, kv, parallel));
        if (root["edges"] is JsonObject edges)
        {
            foreach (var (name, value) in edges)
            {
                if (!graph._byName.TryGetValue(name, out var e) || value is not JsonObject o) continue;
                e.Score = o["score"]?.GetValue<double>() ?? 0;
                e.InCircuit = o["in_graph"]?.GetValue<bool>() ?? true;
            }
        }
        graph.UpdateNodes();
        return graph;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"CircuitGraph: {Nodes.Count} nodes, {Edges.Count} edges, {CircuitEdgeCount} in the circuit";
}
