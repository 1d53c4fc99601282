using InterpKernel.Analysis;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Circuits.Attribution;

/// <summary>Transcoders with a linear skip term: the term is a path of the frozen model, not a node, and the sums still hold.</summary>
public sealed class SkipTranscoderTests(AttributionFixture fx) : IClassFixture<AttributionFixture>, IDisposable
{
    readonly Tensor[] _skips = Enumerable.Range(0, 2).Select(l => (randn([128, 128], generator: new Generator((ulong)(7 + l))) * 0.05f).DetachFromDisposeScope()).ToArray();

    TranscoderSet Transcoders() => new(fx.Saes, _skips);

    [Fact]
    public void With_skip_terms_the_replacement_model_still_gives_the_original_logits()
    {
        using var replacement = ReplacementModel.Create(fx.Model, Transcoders(), fx.Tokens);
        using var original = fx.Model.Forward(fx.Tokens);
        using var logits = replacement.Run();
        float diff = (logits - original).abs().max().item<float>();
        Assert.True(diff < 1e-4f, $"max difference {diff}");
    }

    [Fact]
    public void With_skip_terms_every_target_is_its_edges_plus_its_bias()
    {
        using var replacement = ReplacementModel.Create(fx.Model, Transcoders(), fx.Tokens);
        var graph = AttributionGraph.Compute(replacement);
        using var plain = ReplacementModel.Create(fx.Model, fx.Transcoders, fx.Tokens);
        var without = AttributionGraph.Compute(plain);
        using var clean = fx.Model.Forward(fx.Tokens);
        var last = clean[0, -1].to(ScalarType.Float64);
        var demeaned = (last - last.mean()).data<double>().ToArray();
        for (int t = 0; t < graph.Nodes.Count; t++)
        {
            if (graph.Nodes[t].Kind is AttributionNodeKind.Error or AttributionNodeKind.Embedding) continue;
            double sum = 0;
            foreach (var w in graph.Row(t)) sum += w;
            double expected = graph.Nodes[t].Kind == AttributionNodeKind.Logit ? demeaned[graph.Nodes[t].TokenId] : graph.Value(t);
            Assert.True(Math.Abs(sum + graph.Bias(t) - expected) < 1e-3, $"{graph.Nodes[t]}: {sum} + {graph.Bias(t)} != {expected}");
        }
        // The skip path carries layer-0 embeddings into the logits, so their edges differ from the plain transcoders'.
        Assert.NotEqual(without[without.FirstLogit, without.EmbeddingIndex(3)], graph[graph.FirstLogit, graph.EmbeddingIndex(3)]);
    }

    public void Dispose()
    {
        foreach (var s in _skips) s.Dispose();
    }
}
