using InterpKernel.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Circuits.Attribution;

/// <summary>
/// Attribution on the tiny random checkpoints of other families (RMSNorm, rotary, gated and mixture-of-experts MLPs,
/// parallel attention and MLP, query-key norms, post-norms), with random ReLU transcoders: the replacement model still
/// gives the original logits and every target is still its edges plus its bias.
/// </summary>
public sealed class AttributionFamilyTests
{
    public static TheoryData<string> Families => new() { "tiny-llama", "tiny-gpt-neox", "tiny-qwen3", "tiny-mixtral", "tiny-gemma3", "tiny-phi3" };

    static List<SparseAutoencoder> RandomTranscoders(HookedTransformer model) =>
        Enumerable.Range(0, model.Config.NLayers).Select(l => SparseAutoencoder.Create(
            new SaeConfig(SaeArchitecture.Standard, model.Config.DModel, 64, TranscoderSet.InputHook(l)) { ApplyBDecToInput = false }, seed: l)).ToList();

    [Theory]
    [MemberData(nameof(Families))]
    public void Every_family_explains_its_logits_exactly(string family)
    {
        using var model = HookedTransformer.FromPretrained(TestPaths.Fixture($"hf-reference/{family}"));
        var saes = RandomTranscoders(model);
        try
        {
            using var tokens = tensor(new long[] { 1, 7, 42, 3, 99, 12, 5, 64 }).unsqueeze(0);
            using var replacement = ReplacementModel.Create(model, new TranscoderSet(saes), tokens);
            using var original = model.Forward(tokens);
            using (var logits = replacement.Run())
                Assert.True((logits - original).abs().max().item<float>() < 1e-4f, family);
            var graph = AttributionGraph.Compute(replacement, new AttributionOptions { MaxLogits = 3 });
            var last = original[0, -1].to(ScalarType.Float64);
            var demeaned = (last - last.mean()).data<double>().ToArray();
            Assert.True(graph.FeatureCount > 0, family);
            for (int t = 0; t < graph.Nodes.Count; t++)
            {
                var node = graph.Nodes[t];
                if (node.Kind is AttributionNodeKind.Error or AttributionNodeKind.Embedding) continue;
                double sum = 0;
                foreach (var w in graph.Row(t)) sum += w;
                double expected = node.Kind == AttributionNodeKind.Logit ? demeaned[node.TokenId] : graph.Value(t);
                Assert.True(Math.Abs(sum + graph.Bias(t) - expected) < 1e-3, $"{family} {node}: {sum} + {graph.Bias(t)} != {expected}");
            }
        }
        finally
        {
            foreach (var s in saes) s.Dispose();
        }
    }

    [Theory]
    [InlineData("tiny-gemma2", "softcap")]      // a final logit softcap is not affine
    [InlineData("tiny-olmo2", "pre-MLP norm")]  // only post-norms: nothing for a transcoder to read
    public void Models_attribution_cannot_explain_are_refused(string family, string reason)
    {
        using var model = HookedTransformer.FromPretrained(TestPaths.Fixture($"hf-reference/{family}"));
        var saes = RandomTranscoders(model);
        using var tokens = tensor(new long[] { 1, 7, 42 });
        var e = Assert.Throws<ArgumentException>(() => ReplacementModel.Create(model, new TranscoderSet(saes), tokens));
        Assert.Contains(reason, e.Message);
        foreach (var s in saes) s.Dispose();
    }
}
