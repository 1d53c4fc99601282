using InterpKernel.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Circuits;

public sealed class CircuitNodeExamplesTests(InductionCircuitFixture fx) : IClassFixture<InductionCircuitFixture>
{
    [Fact]
    public void Each_example_is_the_norm_of_what_the_node_writes_at_that_token()
    {
        var graph = CircuitGraph.For(fx.Model);
        var examples = CircuitNodeExamples.Collect(fx.Model, graph, TokenSource.FromTokens(fx.Model, fx.Clean), k: 3);
        Assert.Equal(graph.Nodes.Count(n => n.Kind is CircuitNodeKind.AttentionHead or CircuitNodeKind.Mlp), examples.Count);
        Assert.False(examples.ContainsKey("input"));
        Assert.False(examples.ContainsKey("logits"));

        using var scope = NewDisposeScope();
        var (_, cache) = fx.Model.RunWithCache(fx.Clean);
        foreach (var name in new[] { "a0.h4", "a1.h1", "m0", "m1" })
        {
            var node = graph.Nodes.Single(n => n.Name == name);
            var list = examples[name];
            Assert.Equal(3, list.Count);
            Assert.True(list[0].Activation >= list[1].Activation && list[1].Activation >= list[2].Activation);
            foreach (var e in list)
            {
                // An independent computation from the cache: the head's z times its rows of W_O, or the MLP's output.
                var written = node.Kind == CircuitNodeKind.Mlp
                    ? cache[$"blocks.{node.Layer}.hook_mlp_out"][e.Document, e.Position]
                    : cache[$"blocks.{node.Layer}.attn.hook_z"][e.Document, e.Position, node.Head].matmul(fx.Model.W_O[node.Layer, node.Head]);
                Assert.Equal(written.norm().item<float>(), e.Activation, 3);
                Assert.NotNull(e.ContextActivations);
                Assert.Equal(e.Activation, e.ContextActivations![e.MarkedIndex]);
            }
        }
    }

    [Fact]
    public void An_induction_head_writes_most_on_the_repeated_half()
    {
        var examples = CircuitNodeExamples.Collect(fx.Model, CircuitGraph.For(fx.Model), TokenSource.FromTokens(fx.Model, fx.Clean), k: 10);
        // BOS, 20 tokens, the same 20 again: positions 21 and on are where induction can predict. Measured for a1.h1:
        // nine of its top ten there, the tenth at position 20, the last token of the first copy.
        foreach (var head in new[] { "a1.h1", "a1.h3", "a1.h4" })
            Assert.True(examples[head].Count(e => e.Position > InductionCircuitFixture.SeqLen) >= 8,
                $"{head}: {string.Join(", ", examples[head].Select(e => e.Position))}");
    }

    [Fact]
    public void Only_circuit_nodes_by_default_and_bad_arguments_are_refused()
    {
        var graph = CircuitGraph.For(fx.Model);
        foreach (var e in graph.Edges) e.Score = 0;
        graph["a0.h4->a1.h1<k>"].Score = 1;
        graph.Top(1);
        var source = TokenSource.FromTokens(fx.Model, fx.Clean);
        var examples = CircuitNodeExamples.Collect(fx.Model, graph, source, k: 2, maxTokens: 50);
        Assert.Equal(["a0.h4", "a1.h1"], examples.Keys.Order().ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => CircuitNodeExamples.Collect(fx.Model, graph, source, k: 0));
        var input = graph.Nodes.Single(n => n.Name == "input");
        Assert.Contains("pick an attention head or an MLP", Assert.Throws<ArgumentException>(() => CircuitNodeExamples.Site(fx.Model, input)).Message);
    }
}
