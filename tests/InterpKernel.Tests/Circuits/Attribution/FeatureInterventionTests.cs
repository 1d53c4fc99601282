using InterpKernel.Analysis;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Circuits.Attribution;

public sealed class FeatureInterventionTests(AttributionFixture fx, ITestOutputHelper output) : IClassFixture<AttributionFixture>
{
    static double DemeanedLast(Tensor logits, long token)
    {
        var last = logits[0, -1].to(ScalarType.Float64);
        return (last[token] - last.mean()).item<double>();
    }

    /// <summary>The feature with the largest direct effect on the top logit, among those of <paramref name="layer"/> (any layer when null).</summary>
    static int StrongestFeature(AttributionGraph graph, int? layer)
    {
        var row = graph.Row(graph.FirstLogit).ToArray();
        return Enumerable.Range(0, graph.FeatureCount).Where(i => layer is null || graph.Nodes[i].Layer == layer)
            .OrderByDescending(i => Math.Abs(row[i])).First();
    }

    [Fact]
    public void Zeroing_a_feature_with_frozen_features_moves_the_logit_by_exactly_its_edge_weight()
    {
        using var replacement = ReplacementModel.Create(fx.Model, fx.Transcoders, fx.Tokens);
        var graph = AttributionGraph.Compute(replacement);
        long token = graph.Nodes[graph.FirstLogit].TokenId;
        using var clean = replacement.Run();
        double before = DemeanedLast(clean, token);
        foreach (int layer in new[] { 0, 1 })
        {
            int f = StrongestFeature(graph, layer);
            double edge = graph[graph.FirstLogit, f];
            using var zeroed = replacement.Run([FeatureIntervention.Set(graph.Nodes[f], 0)], freezeFeatures: true);
            using var doubled = replacement.Run([FeatureIntervention.Scale(graph.Nodes[f].Layer, graph.Nodes[f].Position, graph.Nodes[f].Feature, 2)], freezeFeatures: true);
            double zeroDelta = DemeanedLast(zeroed, token) - before, doubleDelta = DemeanedLast(doubled, token) - before;
            output.WriteLine($"{graph.Nodes[f]}: edge {edge:0.0000}, zeroed {zeroDelta:0.0000}, doubled {doubleDelta:0.0000}");
            Assert.True(Math.Abs(edge) > 0.05, $"edge {edge}");
            Assert.Equal(-edge, zeroDelta, 1e-4);
            Assert.Equal(edge, doubleDelta, 1e-4);
        }
    }

    [Fact]
    public void Zeroing_a_last_layer_feature_moves_the_logit_by_its_edge_weight_also_with_features_recomputed()
    {
        using var replacement = ReplacementModel.Create(fx.Model, fx.Transcoders, fx.Tokens);
        var graph = AttributionGraph.Compute(replacement);
        long token = graph.Nodes[graph.FirstLogit].TokenId;
        int f = StrongestFeature(graph, fx.Model.Config.NLayers - 1);
        using var clean = replacement.Run();
        using var zeroed = replacement.Run([FeatureIntervention.Set(graph.Nodes[f], 0)]);
        Assert.Equal(-graph[graph.FirstLogit, f], DemeanedLast(zeroed, token) - DemeanedLast(clean, token), 1e-4);

        // An earlier feature also acts through the features after it, so the change is only near its direct effect.
        int early = StrongestFeature(graph, 0);
        using var zeroedEarly = replacement.Run([FeatureIntervention.Set(graph.Nodes[early], 0)]);
        output.WriteLine($"{graph.Nodes[early]}: edge {graph[graph.FirstLogit, early]:0.0000}, total effect of zeroing {DemeanedLast(zeroedEarly, token) - DemeanedLast(clean, token):0.0000}");
    }

    [Fact]
    public void Only_feature_nodes_can_be_set()
    {
        var graph = SmallGraph.Build();
        Assert.Throws<ArgumentException>(() => FeatureIntervention.Set(graph.Nodes[SmallGraph.Embed0], 0));
    }
}
