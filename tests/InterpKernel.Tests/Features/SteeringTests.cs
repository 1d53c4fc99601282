using InterpKernel.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Features;

public class SteeringTests
{
    const string Prompt = "And God said, Let there be light: and there was light.";

    static Tensor Direction(int seed, int width = 128)
    {
        var d = randn([width], generator: new Generator((ulong)seed));
        return d / d.norm();
    }

    [Fact]
    public void After_ablating_a_direction_no_residual_stream_has_a_component_along_it()
    {
        using var model = FeatureTestData.Model();
        using var scope = NewDisposeScope();
        var d = Direction(1);
        var tokens = model.ToTokens(Prompt);
        using (model.AblateDirection(d * 3))
        {
            var (logits, cache) = model.RunWithCache(tokens, n => n.Contains("hook_resid_"));
            using (cache)
            {
                Assert.Equal(model.Config.NLayers * 3, cache.Keys.Count);
                foreach (var name in cache.Keys)
                {
                    var resid = cache[name].to(ScalarType.Float64);
                    var along = resid.matmul(d.to(ScalarType.Float64)).abs() / resid.norm(-1); // [batch, pos]
                    double worst = along.max().item<double>();
                    Assert.True(worst < 1e-5, $"{name}: relative component along the direction {worst:E2}");
                }
            }
        }
        // Gone after dispose: the residual stream reads the direction again.
        var (_, after) = model.RunWithCache(tokens, n => n == "blocks.1.hook_resid_post");
        using (after) Assert.True(after["blocks.1.hook_resid_post"].matmul(d).abs().max().item<float>() > 1e-2);
    }

    [Fact]
    public void Orthogonalised_weights_give_the_logits_of_the_ablation_hooks()
    {
        using var hooked = FeatureTestData.Model();
        using var edited = FeatureTestData.Model();
        using var scope = NewDisposeScope();
        var d = Direction(2);
        var tokens = hooked.ToTokens(Prompt);
        var original = hooked.Forward(tokens);
        Tensor ablated;
        using (hooked.AblateDirection(d)) ablated = hooked.Forward(tokens);
        edited.OrthogonalizeWeights(d);
        var permanent = edited.Forward(tokens);
        Assert.True((ablated - original).abs().max().item<float>() > 1e-2, "the ablation should change the logits");
        float gap = (permanent - ablated).abs().max().item<float>();
        Assert.True(gap < 1e-3, $"orthogonalised weights differ from the ablation hooks by {gap:E2}");
        // The unembedding was tied to W_E; it must not have been edited.
        Assert.True(edited.W_U.allclose(hooked.W_U));
        Assert.True(edited.W_E.matmul(d).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void Steering_changes_the_logits_during_the_scope_and_is_gone_after_it()
    {
        using var model = FeatureTestData.Model();
        using var scope = NewDisposeScope();
        var tokens = model.ToTokens(Prompt);
        var before = model.Forward(tokens);
        var d = Direction(3);
        Tensor steered, lastOnly;
        using (model.Steer("blocks.1.hook_resid_pre", d, 8f)) steered = model.Forward(tokens);
        using (model.Steer("blocks.1.hook_resid_pre", d, 8f, [-1])) lastOnly = model.Forward(tokens);
        var after = model.Forward(tokens);
        Assert.True((steered - before).abs().max().item<float>() > 0.1);
        Assert.True(after.allclose(before), "the steering hook must be removed on dispose");
        // Steering only the last position leaves earlier positions untouched.
        long last = tokens.shape[1] - 1;
        Assert.True(lastOnly.narrow(1, 0, last).allclose(before.narrow(1, 0, last), rtol: 1e-5, atol: 1e-5));
        Assert.True((lastOnly[0, -1] - before[0, -1]).abs().max().item<float>() > 0.1);
        // A direction of the wrong width is refused when attached, before any forward runs.
        var e = Assert.Throws<ArgumentException>(() => model.Steer("blocks.0.mlp.hook_post", d, 1f));
        Assert.Contains("512 wide", e.Message);
    }

    [Fact]
    public void A_difference_of_means_direction_steers_generation_visibly_with_the_same_seed()
    {
        using var model = FeatureTestData.Model();
        using var scope = NewDisposeScope();
        string[] positive = ["And Isaac said unto Jacob", "And Isaac went out", "And Isaac loved Esau"];
        string[] negative = ["And Pharaoh said unto Moses", "And Pharaoh hardened his heart", "And Pharaoh rose up"];
        var d = SteeringVector.DiffOfMeans(model, positive, negative, "blocks.1.hook_resid_pre", TokenPositions.At(2));
        Assert.Equal([128L], d.shape);
        var perLayer = SteeringVector.DiffOfMeansPerLayer(model, positive, negative, "resid_pre", TokenPositions.At(2));
        Assert.Equal([2L, 128L], perLayer.shape);
        Assert.True(perLayer[1].allclose(d, rtol: 1e-5, atol: 1e-5));
        var shown = SideBySideGeneration.Generate(model, "And the LORD said unto", m => m.Steer("blocks.1.hook_resid_pre", d, 6f), 12, temperature: 0.7f, seed: 4);
        var again = SideBySideGeneration.Generate(model, "And the LORD said unto", m => m.Steer("blocks.1.hook_resid_pre", d, 6f), 12, temperature: 0.7f, seed: 4);
        Assert.StartsWith("And the LORD said unto", shown.Without);
        Assert.NotEqual(shown.Without, shown.With);
        Assert.Equal(shown, again);
    }
}
