using InterpKernel.Analysis;
using Xunit;

namespace InterpKernel.Tests.Circuits.Attribution;

public sealed class AttributionPruningTests(AttributionFixture fx) : IClassFixture<AttributionFixture>
{
    [Fact]
    public void Influence_on_a_small_graph_is_the_path_sum_worked_out_by_hand()
    {
        var pruned = SmallGraph.Build().Prune(0.8, 0.98);
        Assert.Equal(0.375, pruned.Influence[SmallGraph.A], 12);
        Assert.Equal(0.5, pruned.Influence[SmallGraph.B], 12);
        Assert.Equal(0.09375, pruned.Influence[SmallGraph.ErrorL0P0], 12);
        Assert.Equal(0.28125, pruned.Influence[SmallGraph.Embed0], 12);
        Assert.Equal(0.625, pruned.Influence[SmallGraph.Embed1], 12);
        Assert.Equal(0.0, pruned.Influence[SmallGraph.Logit], 12);
        Assert.Equal(0.625 / 1.875, pruned.CumulativeInfluence[SmallGraph.Embed1], 12);
        Assert.Equal(1.5 / 1.875, pruned.CumulativeInfluence[SmallGraph.A], 12);
        Assert.Equal(1.0, pruned.CumulativeInfluence[SmallGraph.ErrorL0P0], 12);
    }

    [Fact]
    public void Node_threshold_keeps_the_nodes_holding_that_share_of_influence()
    {
        var graph = SmallGraph.Build();
        var at80 = graph.Prune(0.8, 0.98);
        Assert.True(at80.NodeMask[SmallGraph.A] && at80.NodeMask[SmallGraph.B]);
        Assert.False(at80.NodeMask[SmallGraph.ErrorL0P0]);
        Assert.True(at80.NodeMask[SmallGraph.Embed0] && at80.NodeMask[SmallGraph.Embed1] && at80.NodeMask[SmallGraph.Logit]);
        Assert.True(at80.KeepsEdge(SmallGraph.B, SmallGraph.A));
        Assert.False(at80.KeepsEdge(SmallGraph.A, SmallGraph.ErrorL0P0));

        var at60 = graph.Prune(0.6, 0.98);
        Assert.False(at60.NodeMask[SmallGraph.A]);
        Assert.True(at60.NodeMask[SmallGraph.B]);
        Assert.Equal(3, at60.EdgeCount); // b -> logit, embedding 1 -> logit, embedding 1 -> b
    }

    [Fact]
    public void Budgets_cap_nodes_and_edges_most_influential_first()
    {
        var graph = SmallGraph.Build();
        var one = graph.Prune(1.0, 1.0, maxNodes: 4);
        Assert.True(one.NodeMask[SmallGraph.B]);
        Assert.False(one.NodeMask[SmallGraph.A]);
        // Edge scores: logit<-b 0.5, logit<-embedding 1 0.5, b<-a 0.375, a<-embedding 0 0.28125, b<-embedding 1 0.125, ...
        var edges = graph.Prune(1.0, 1.0, maxEdges: 4);
        Assert.Equal(4, edges.EdgeCount);
        Assert.True(edges.KeepsEdge(SmallGraph.A, SmallGraph.Embed0) && edges.KeepsEdge(SmallGraph.B, SmallGraph.A));
        Assert.False(edges.KeepsEdge(SmallGraph.B, SmallGraph.Embed1));
        // With two edges, b keeps no input and goes, taking its edge to the logit with it.
        var two = graph.Prune(1.0, 1.0, maxEdges: 2);
        Assert.False(two.NodeMask[SmallGraph.B]);
        Assert.Equal(1, two.EdgeCount);
        Assert.Throws<ArgumentException>(() => graph.Prune(maxNodes: 2));
        Assert.Throws<ArgumentException>(() => graph.Prune(nodeThreshold: 1.5));
    }

    [Fact]
    public void On_a_real_graph_every_kept_feature_has_a_kept_edge_in_and_out()
    {
        var graph = AttributionGraph.Compute(fx.Model, fx.Transcoders, fx.Tokens);
        var pruned = graph.Prune(0.8, 0.98, maxNodes: 120, maxEdges: 2000);
        Assert.InRange(pruned.NodeCount, graph.EmbeddingCount + graph.LogitCount + 1, 120);
        Assert.InRange(pruned.EdgeCount, 1, 2000);
        int n = graph.Nodes.Count;
        for (int i = 0; i < graph.FeatureCount + graph.ErrorCount; i++)
        {
            if (!pruned.NodeMask[i]) continue;
            Assert.Contains(Enumerable.Range(0, n), t => pruned.KeepsEdge(t, i));
            if (i < graph.FeatureCount) Assert.Contains(Enumerable.Range(0, n), s => pruned.KeepsEdge(i, s));
        }
        for (int t = 0; t < n; t++)
            for (int s = 0; s < n; s++)
                if (pruned.KeepsEdge(t, s)) Assert.True(pruned.NodeMask[t] && pruned.NodeMask[s] && graph[t, s] != 0);
        var all = graph.Prune(1.0, 1.0);
        Assert.True(all.NodeCount > pruned.NodeCount);
    }
}
