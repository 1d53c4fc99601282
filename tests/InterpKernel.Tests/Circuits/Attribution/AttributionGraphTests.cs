using InterpKernel.Analysis;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Circuits.Attribution;

public sealed class AttributionGraphTests(AttributionFixture fx, ITestOutputHelper output) : IClassFixture<AttributionFixture>
{
    AttributionGraph Graph() => AttributionGraph.Compute(fx.Model, fx.Transcoders, fx.Tokens, new AttributionOptions { BatchSize = 64 });

    [Fact]
    public void Each_logit_is_the_sum_of_its_direct_effects_and_its_bias()
    {
        var graph = Graph();
        using var clean = fx.Model.Forward(fx.Tokens);
        var last = clean[0, -1].to(ScalarType.Float64);
        var demeaned = (last - last.mean()).data<double>().ToArray();
        Assert.True(graph.LogitCount >= 1);
        for (int t = graph.FirstLogit; t < graph.Nodes.Count; t++)
        {
            double sum = 0;
            foreach (var w in graph.Row(t)) sum += w;
            double logit = demeaned[graph.Nodes[t].TokenId];
            output.WriteLine($"{graph.Nodes[t]}: logit {logit:0.0000}, edges {sum:0.0000}, bias {graph.Bias(t):0.0000}");
            Assert.Equal(logit, graph.Value(t), 1e-3);
            Assert.True(Math.Abs(sum + graph.Bias(t) - logit) < 1e-3, $"{graph.Nodes[t]}: {sum} + {graph.Bias(t)} != {logit}");
        }
    }

    [Fact]
    public void Each_feature_pre_activation_is_the_sum_of_its_direct_effects_and_its_bias()
    {
        var graph = Graph();
        using var replacement = ReplacementModel.Create(fx.Model, fx.Transcoders, fx.Tokens);
        double worst = 0;
        for (int t = 0; t < graph.FeatureCount; t++)
        {
            double sum = 0;
            foreach (var w in graph.Row(t)) sum += w;
            var node = graph.Nodes[t];
            worst = Math.Max(worst, Math.Abs(sum + graph.Bias(t) - graph.Value(t)));
            // An active JumpReLU feature's activation is its pre-activation.
            Assert.Equal(node.Activation, graph.Value(t), 1e-3);
        }
        output.WriteLine($"{graph.FeatureCount} features, worst |edges + bias - pre-activation| = {worst:E2}");
        Assert.True(worst < 1e-3, $"worst {worst}");
    }

    [Fact]
    public void Edges_only_point_forward()
    {
        var graph = Graph();
        for (int t = 0; t < graph.FeatureCount; t++)
        {
            var target = graph.Nodes[t];
            var row = graph.Row(t);
            for (int s = 0; s < graph.Nodes.Count; s++)
            {
                if (row[s] == 0) continue;
                var source = graph.Nodes[s];
                Assert.True(source.Position <= target.Position, $"{source} -> {target}");
                Assert.True(source.Kind == AttributionNodeKind.Embedding || source.Layer < target.Layer, $"{source} -> {target}");
            }
        }
        for (int s = 0; s < graph.Nodes.Count; s++)
            for (int t = graph.FeatureCount; t < graph.FirstLogit; t++) Assert.Equal(0f, graph[t, s]);
    }

    [Fact]
    public void Logit_nodes_are_the_likeliest_tokens_up_to_the_desired_probability()
    {
        var graph = AttributionGraph.Compute(fx.Model, fx.Transcoders, fx.Tokens, new AttributionOptions { MaxLogits = 3, DesiredLogitProbability = 0.999 });
        Assert.Equal(3, graph.LogitCount);
        var probs = Enumerable.Range(graph.FirstLogit, 3).Select(i => graph.Nodes[i].Probability).ToArray();
        Assert.True(probs[0] >= probs[1] && probs[1] >= probs[2]);
        var one = AttributionGraph.Compute(fx.Model, fx.Transcoders, fx.Tokens, new AttributionOptions { DesiredLogitProbability = 1e-6 });
        Assert.Equal(1, one.LogitCount);
    }
}
