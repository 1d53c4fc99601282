using System.Text.Json;
using InterpKernel.Analysis;
using Xunit;

namespace InterpKernel.Tests.Circuits.Attribution;

public sealed class AttributionGraphJsonTests(AttributionFixture fx) : IClassFixture<AttributionFixture>
{
    [Fact]
    public void A_small_graph_writes_the_graph_file_structure_the_frontend_reads()
    {
        using var doc = JsonDocument.Parse(SmallGraph.Build().ToJson("small", SmallGraph.Build().Prune(0.8, 0.98), scan: "test-scan"));
        var root = doc.RootElement;
        Assert.Equal(["metadata", "qParams", "nodes", "links"], root.EnumerateObject().Select(p => p.Name));
        var meta = root.GetProperty("metadata");
        Assert.Equal("small", meta.GetProperty("slug").GetString());
        Assert.Equal("test-scan", meta.GetProperty("scan").GetString());
        Assert.Equal(["In", " the"], meta.GetProperty("prompt_tokens").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("In the", meta.GetProperty("prompt").GetString());
        Assert.Equal(0.8, meta.GetProperty("node_threshold").GetDouble());
        Assert.Equal(0.1, meta.GetProperty("target_bias").GetProperty("3_42_1").GetDouble());
        Assert.Equal("both", root.GetProperty("qParams").GetProperty("linkType").GetString());

        var nodes = root.GetProperty("nodes").EnumerateArray().ToArray();
        Assert.Equal(["0_3_0", "1_5_1", "E_10_0", "E_11_1", "3_42_1"], nodes.Select(n => n.GetProperty("node_id").GetString()));
        Assert.Equal(["cross layer transcoder", "cross layer transcoder", "embedding", "embedding", "logit"],
                     nodes.Select(n => n.GetProperty("feature_type").GetString()));
        Assert.Equal([3L, 105L, 0L, 1L, 42L], nodes.Select(n => n.GetProperty("feature").GetInt64()));
        Assert.Equal(["0", "1", "E", "E", "3"], nodes.Select(n => n.GetProperty("layer").GetString()));
        Assert.Equal([0, 1, 0, 1, 1], nodes.Select(n => n.GetProperty("ctx_idx").GetInt32()));
        Assert.Equal(2.0, nodes[0].GetProperty("activation").GetDouble());
        Assert.Equal(1.5 / 1.875, nodes[0].GetProperty("influence").GetDouble(), 12);
        Assert.Equal("1_5-0", nodes[1].GetProperty("jsNodeId").GetString());
        Assert.Equal("E_11-1", nodes[3].GetProperty("jsNodeId").GetString());
        Assert.True(nodes[4].GetProperty("is_target_logit").GetBoolean());
        Assert.Equal(1.0, nodes[4].GetProperty("token_prob").GetDouble());
        Assert.Equal("Output \" beginning\" (p=1.000)", nodes[4].GetProperty("clerp").GetString());

        var links = root.GetProperty("links").EnumerateArray()
            .Select(l => (l.GetProperty("source").GetString(), l.GetProperty("target").GetString(), l.GetProperty("weight").GetDouble()));
        Assert.Equal([("E_10_0", "0_3_0", 3.0), ("0_3_0", "1_5_1", 3.0), ("E_11_1", "1_5_1", 1.0), ("1_5_1", "3_42_1", 4.0), ("E_11_1", "3_42_1", -4.0)], links);
    }

    [Fact]
    public void A_real_graph_file_carries_the_kept_nodes_and_edges_with_their_values()
    {
        var graph = AttributionGraph.Compute(fx.Model, fx.Transcoders, fx.Tokens);
        var pruned = graph.Prune(0.8, 0.98);
        using var doc = JsonDocument.Parse(graph.ToJson("moses", pruned, scan: "kjv-gpt2-2l-mlp", prompt: AttributionFixture.Prompt));
        var root = doc.RootElement;
        Assert.Equal(AttributionFixture.Prompt, root.GetProperty("metadata").GetProperty("prompt").GetString());
        Assert.Equal(graph.PromptTokens, root.GetProperty("metadata").GetProperty("prompt_tokens").EnumerateArray().Select(t => t.GetString()!));
        var index = Enumerable.Range(0, graph.Nodes.Count).ToDictionary(graph.NodeId);
        var written = new HashSet<string>();
        foreach (var node in root.GetProperty("nodes").EnumerateArray())
        {
            string id = node.GetProperty("node_id").GetString()!;
            Assert.True(written.Add(id), $"{id} written twice");
            int i = index[id];
            var kind = graph.Nodes[i].Kind;
            Assert.True(pruned.NodeMask[i]);
            Assert.Equal(graph.Nodes[i].Position, node.GetProperty("ctx_idx").GetInt32());
            if (kind == AttributionNodeKind.Feature)
            {
                Assert.Equal(graph.Nodes[i].Activation, node.GetProperty("activation").GetDouble(), 6);
                Assert.Equal(pruned.CumulativeInfluence[i], node.GetProperty("influence").GetDouble(), 12);
            }
        }
        Assert.Equal(graph.EmbeddingCount, written.Count(id => id.StartsWith("E_", StringComparison.Ordinal)));
        int links = 0;
        foreach (var link in root.GetProperty("links").EnumerateArray())
        {
            int s = index[link.GetProperty("source").GetString()!], t = index[link.GetProperty("target").GetString()!];
            Assert.True(pruned.KeepsEdge(t, s));
            Assert.True(written.Contains(graph.NodeId(s)) && written.Contains(graph.NodeId(t)));
            Assert.Equal(graph[t, s], link.GetProperty("weight").GetDouble(), 6);
            links++;
        }
        Assert.Equal(pruned.EdgeCount, links);
    }

    [Fact]
    public void Graph_files_are_listed_once_by_slug_in_the_folder_index()
    {
        string folder = Path.Combine(Path.GetTempPath(), "attribution-" + Guid.NewGuid().ToString("N"));
        try
        {
            var graph = SmallGraph.Build();
            graph.WriteGraphFiles(folder, "one");
            graph.WriteGraphFiles(folder, "two");
            string path = graph.WriteGraphFiles(folder, "one");
            Assert.Equal(Path.Combine(folder, "one.json"), path);
            using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "graph-metadata.json")));
            Assert.Equal(["two", "one"], index.RootElement.GetProperty("graphs").EnumerateArray().Select(g => g.GetProperty("slug").GetString()));
            Assert.All(index.RootElement.GetProperty("graphs").EnumerateArray(), g => Assert.False(g.TryGetProperty("target_bias", out _)));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
