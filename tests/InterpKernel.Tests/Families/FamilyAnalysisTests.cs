using InterpKernel.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Families;

/// <summary>
/// Every analysis a researcher starts with, on each family's tiny checkpoint (weights processed, as
/// <c>FromPretrained</c> loads them): every hook fires once in the listed order, a run with cache, a head-patching
/// sweep (batched equal to one forward per patch), the logit lens and generation.
/// </summary>
public class FamilyAnalysisTests
{
    public static TheoryData<string> Families => new(FamilyFixtures.WithGeneration);

    static readonly long[] Clean = [81, 213, 287, 262, 424, 213, 75, 50, 75, 21, 475, 139];
    static readonly long[] Corrupt = [81, 213, 287, 262, 424, 99, 75, 50, 75, 21, 475, 139];

    [Theory]
    [MemberData(nameof(Families))]
    public void Hooks_cache_patching_logit_lens_and_generation_work(string name)
    {
        using var model = HookedTransformer.FromPretrained(TestPaths.Fixture($"hf-reference/{name}"));
        using var clean = tensor(Clean).unsqueeze(0);
        using var corrupt = tensor(Corrupt).unsqueeze(0);

        var fired = new List<string>();
        using (model.Hooks(_ => true, (a, h) => { fired.Add(h.Name); return null; }))
        using (model.Forward(clean)) { }
        Assert.Equal(model.HookNames, fired);

        var (logits, cache) = model.RunWithCache(clean);
        using (logits)
        using (cache)
        {
            long pos = Clean.Length;
            for (int l = 0; l < model.Config.NLayers; l++)
            {
                var pattern = cache["pattern", l]; // [batch, head_index, query_pos, key_pos]
                Assert.Equal([1, model.Config.NHeads, pos, pos], pattern.shape);
                if (model.Config.SlidingWindowOf(l) is { } w)
                {
                    // Keys w or more positions back get no attention at all.
                    using var outside = ones(pos, pos, ScalarType.Bool).tril(-w);
                    Assert.Equal(0.0, pattern[0].masked_select(outside.expand_as(pattern[0])).abs().sum().item<float>());
                }
            }

            int good = (int)logits[0, -1].argmax().item<long>();
            int bad = (good + 1) % model.Config.DVocab;
            var metric = Metrics.LogitDiff(good, bad);
            using var heads = ActivationPatching.HeadOut(model, clean, corrupt, metric);
            using var single = ActivationPatching.HeadOut(model, clean, corrupt, metric, PatchingOptions.OneForwardPerPatch);
            Assert.Equal([model.Config.NLayers, model.Config.NHeads], heads.shape);
            Assert.True(heads.allclose(single, rtol: 1e-4, atol: 1e-4), $"{name}: batched head patching differs by {(heads - single).abs().max().item<float>()}");

            using var lens = LogitLens.Run(model, clean, good);
            // The lens's last row is the model's own output: its top token at the last position is the model's choice.
            Assert.Equal(good, lens.TopTokens[-1, -1, 0].item<long>());
        }

        using var generated = model.Generate(clean, 4);
        Assert.Equal(Clean.Length + 4, generated.shape[1]);
    }

    [Fact]
    public void Zeroing_every_expert_weight_silences_a_mixture_of_experts_layer()
    {
        using var model = HookedTransformer.FromPretrained(TestPaths.Fixture("hf-reference/tiny-mixtral"));
        using var tokens = tensor(Clean).unsqueeze(0);
        var (logits, cache) = model.RunWithCache(tokens);
        using (logits)
        using (cache)
        {
            var weights = cache["blocks.1.mlp.hook_expert_weights"]; // [batch, pos, n_experts]
            Assert.Equal([1, Clean.Length, 4], weights.shape);
            // Two experts per token, their weights summing to 1.
            Assert.True(weights.ne(0).sum(-1).eq(2).all().item<bool>());
            Assert.True(weights.sum(-1).allclose(ones(1, Clean.Length), atol: 1e-5));
            Assert.Equal([1, Clean.Length, 4], cache["blocks.1.mlp.hook_router_logits"].shape);
        }
        Tensor? mlpOut = null;
        using (var silenced = model.RunWithHooks(tokens,
                   ("blocks.1.mlp.hook_expert_weights", (a, _) => zeros_like(a)),
                   ("blocks.1.hook_mlp_out", (a, _) => { mlpOut = a.detach().clone().DetachFromDisposeScope(); return null; })))
        {
            Assert.NotNull(mlpOut);
            Assert.Equal(0.0, mlpOut!.abs().max().item<float>());
        }
        mlpOut?.Dispose();
    }
}
