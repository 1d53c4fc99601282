using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace InterpKernel.Analysis;

public sealed partial class AttributionGraph
{
    /// <summary>The <c>feature_type</c> of feature nodes in a graph file (what circuit tracing's frontend expects of any transcoder feature).</summary>
    public const string FeatureType = "cross layer transcoder";
    /// <summary>The <c>feature_type</c> of error nodes in a graph file.</summary>
    public const string ErrorType = "mlp reconstruction error";
    /// <summary>The <c>feature_type</c> of embedding nodes in a graph file.</summary>
    public const string EmbeddingType = "embedding";
    /// <summary>The <c>feature_type</c> of logit nodes in a graph file.</summary>
    public const string LogitType = "logit";

    /// <summary>
    /// The graph as a graph file of circuit tracing's frontend: <c>metadata</c> (slug, scan, prompt and its tokens,
    /// node threshold, and the bias term of every kept target under <c>target_bias</c>), <c>qParams</c>, the kept
    /// <c>nodes</c> (<c>node_id</c>, <c>feature</c>, <c>layer</c>, <c>ctx_idx</c>, <c>feature_type</c>,
    /// <c>influence</c> as the cumulative share of influence, <c>activation</c>, <c>clerp</c>, ...) and <c>links</c>
    /// (<c>source</c>, <c>target</c>, <c>weight</c>). Only kept nodes that a kept link touches are written, and always
    /// the embeddings and logits. Without <paramref name="pruning"/>, <see cref="Prune(double, double, int?, int?)"/>'s
    /// defaults are used.
    /// </summary>
    /// <example><code>File.WriteAllText("moses.json", graph.ToJson("moses", graph.Prune(0.8, 0.98), scan: "kjv-gpt2-2l-transcoders"));</code></example>
    public string ToJson(string slug, AttributionPruning? pruning = null, string scan = "", string? prompt = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(slug);
        ArgumentNullException.ThrowIfNull(scan);
        pruning ??= Prune();
        if (pruning.NodeMask.Count != Nodes.Count)
            throw new ArgumentException($"The pruning has {pruning.NodeMask.Count} nodes but the graph has {Nodes.Count}: prune this graph.", nameof(pruning));
        int n = Nodes.Count;
        var ids = Nodes.Select(NodeId).ToArray();
        var links = new JsonArray();
        var touched = new bool[n];
        for (int t = 0; t < n; t++)
        {
            if (!pruning.NodeMask[t]) continue;
            for (int s = 0; s < n; s++)
            {
                if (!pruning.NodeMask[s] || !pruning.KeepsEdge(t, s)) continue;
                touched[t] = touched[s] = true;
                links.Add(new JsonObject { ["source"] = ids[s], ["target"] = ids[t], ["weight"] = (double)this[t, s] });
            }
        }
        var nodes = new JsonArray();
        var biases = new JsonObject();
        for (int i = 0; i < n; i++)
        {
            var kind = Nodes[i].Kind;
            bool always = kind is AttributionNodeKind.Embedding or AttributionNodeKind.Logit;
            if (!(pruning.NodeMask[i] && touched[i]) && !always) continue;
            nodes.Add(NodeJson(i, ids[i], pruning.CumulativeInfluence[i]));
            if (kind is AttributionNodeKind.Feature or AttributionNodeKind.Logit) biases[ids[i]] = Bias(i);
        }
        var root = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["slug"] = slug,
                ["scan"] = scan,
                ["transcoder_list"] = new JsonArray(),
                ["prompt_tokens"] = new JsonArray(PromptTokens.Select(t => (JsonNode?)DisplayToken(t)).ToArray()),
                ["prompt"] = prompt ?? string.Concat(PromptTokens),
                ["node_threshold"] = pruning.NodeThreshold,
                ["target_bias"] = biases,
            },
            ["qParams"] = new JsonObject
            {
                ["pinnedIds"] = new JsonArray(),
                ["supernodes"] = new JsonArray(),
                ["linkType"] = "both",
                ["clickedId"] = "",
                ["sg_pos"] = "",
            },
            ["nodes"] = nodes,
            ["links"] = links,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// Writes <c>{slug}.json</c> (<see cref="ToJson(string, AttributionPruning?, string, string?)"/>) into
    /// <paramref name="folder"/> and lists it in the folder's <c>graph-metadata.json</c>, the index the frontend reads,
    /// replacing an entry with the same slug. Returns the path of the graph file.
    /// </summary>
    public string WriteGraphFiles(string folder, string slug, AttributionPruning? pruning = null, string scan = "", string? prompt = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Directory.CreateDirectory(folder);
        var json = ToJson(slug, pruning, scan, prompt);
        string path = Path.Combine(folder, slug + ".json");
        File.WriteAllText(path, json);
        string indexPath = Path.Combine(folder, "graph-metadata.json");
        var index = File.Exists(indexPath) ? JsonNode.Parse(File.ReadAllText(indexPath))!.AsObject() : new JsonObject { ["graphs"] = new JsonArray() };
        var graphs = index["graphs"]?.AsArray() ?? new JsonArray();
        var kept = graphs.Where(g => g?["slug"]?.GetValue<string>() != slug).Select(g => g?.DeepClone()).ToList();
        var entry = JsonNode.Parse(json)!["metadata"]!.DeepClone().AsObject();
        entry.Remove("target_bias"); // the index lists graphs; the biases stay in the graph file
        kept.Add(entry);
        index["graphs"] = new JsonArray(kept.ToArray());
        File.WriteAllText(indexPath, index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    /// <summary>
    /// The graph file's id of node <paramref name="node"/>: <c>{layer}_{feature}_{pos}</c> for features,
    /// <c>err_{layer}_{pos}</c> for errors, <c>E_{token}_{pos}</c> for embeddings, <c>{layers + 1}_{token}_{pos}</c> for logits.
    /// </summary>
    /// <remarks>
    /// Circuit tracing names error nodes <c>0_{layer}_{pos}</c>, which is also the id of feature <c>layer</c> of layer 0
    /// at that position; its frontend treats ids as opaque keys, so error nodes get an id of their own here.
    /// </remarks>
    public string NodeId(int node) => NodeId(Nodes[CheckNode(node)]);

    string NodeId(AttributionNode node) => node.Kind switch
    {
        AttributionNodeKind.Feature => Invariant($"{node.Layer}_{node.Feature}_{node.Position}"),
        AttributionNodeKind.Error => Invariant($"err_{node.Layer}_{node.Position}"),
        AttributionNodeKind.Embedding => Invariant($"E_{node.TokenId}_{node.Position}"),
        _ => Invariant($"{Layers + 1}_{node.TokenId}_{node.Position}"),
    };

    JsonObject NodeJson(int i, string id, double influence)
    {
        var node = Nodes[i];
        // Features of all layers share one numbering in the frontend: layer L's features start at L times a power of ten.
        long offset = (long)Math.Pow(10, Math.Ceiling(Math.Log10(Math.Max(2, FeatureCounts.Max()))));
        var (feature, layer, type, jsId) = node.Kind switch
        {
            AttributionNodeKind.Feature => (node.Feature + offset * node.Layer, Invariant($"{node.Layer}"), FeatureType, Invariant($"{node.Layer}_{node.Feature}-0")),
            AttributionNodeKind.Error => (-1L, Invariant($"{node.Layer}"), ErrorType, Invariant($"{node.Layer}_{node.Position}-0")),
            AttributionNodeKind.Embedding => (node.Position, "E", EmbeddingType, Invariant($"E_{node.TokenId}-{node.Position}")),
            _ => (node.TokenId, Invariant($"{Layers + 1}"), LogitType, Invariant($"L_{node.TokenId}-{node.Position}")),
        };
        bool logit = node.Kind == AttributionNodeKind.Logit;
        return new JsonObject
        {
            ["node_id"] = id,
            ["feature"] = feature,
            ["layer"] = layer,
            ["ctx_idx"] = node.Position,
            ["feature_type"] = type,
            ["token_prob"] = logit ? node.Probability : 0.0,
            ["is_target_logit"] = logit && i == FirstLogit,
            ["run_idx"] = 0,
            ["reverse_ctx_idx"] = 0,
            ["jsNodeId"] = jsId,
            ["clerp"] = logit ? Invariant($"Output \"{DisplayToken(LogitTokens[i - FirstLogit])}\" (p={node.Probability:0.000})") : "",
            ["influence"] = logit ? null : influence,
            ["activation"] = node.Kind == AttributionNodeKind.Feature ? node.Activation : null,
        };
    }

    /// <summary>A token as the frontend shows it: newlines, tabs and carriage returns made visible.</summary>
    static string DisplayToken(string token) => token.Replace("\n", "⏎").Replace("\t", "→").Replace("\r", "↵");

    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
