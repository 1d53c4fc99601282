using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Core;

/// <summary>The float64 embedded model, for gradients checked against finite differences.</summary>
public sealed class Float64Fixture : IDisposable
{
    /// <summary>kjv-gpt2-2l in float64.</summary>
    public HookedTransformer Model { get; } = HookedTransformer.FromPretrained(TestPaths.Models("kjv-gpt2-2l"), "cpu", ScalarType.Float64);

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}

public class GradientTests(Float64Fixture fixture) : IClassFixture<Float64Fixture>
{
    readonly HookedTransformer _model = fixture.Model;

    Tensor Tokens() => _model.ToTokens("And Abraham said unto Isaac, Behold the fire");

    Func<Tensor, Tensor> LogitDiff()
    {
        int isaac = _model.ToSingleToken(" Isaac"), jacob = _model.ToSingleToken(" Jacob");
        return logits => logits[0, -1, isaac] - logits[0, -1, jacob];
    }

    [Fact]
    public void Every_hooks_gradient_matches_a_central_finite_difference_along_a_random_direction()
    {
        using var tokens = Tokens();
        var metric = LogitDiff();
        var (value, grads) = _model.RunWithGradients(tokens, metric);
        using (value)
        using (grads)
        {
            Assert.Equal(_model.HookNames.Count, grads.Keys.Count);
            var gen = new Generator(7);
            const double eps = 1e-4;
            var failures = new List<string>();
            foreach (var name in _model.HookNames)
            {
                using var scope = NewDisposeScope();
                var g = grads[name];
                var direction = randn(g.shape, ScalarType.Float64, generator: gen);
                double analytic = (g * direction).sum().item<double>();
                double Shifted(double step)
                {
                    using var logits = _model.RunWithHooks(tokens, (name, (a, _) => a + direction.to(a.dtype) * step));
                    return metric(logits).item<double>();
                }
                double numeric = (Shifted(eps) - Shifted(-eps)) / (2 * eps);
                double error = Math.Abs(analytic - numeric) / Math.Max(Math.Max(Math.Abs(analytic), Math.Abs(numeric)), 1e-6);
                if (error > 1e-2) failures.Add($"{name}: analytic {analytic:G6}, finite difference {numeric:G6}");
            }
            Assert.True(failures.Count == 0, string.Join("\n", failures));
            using var logitsAgain = _model.Forward(tokens);
            Assert.Equal(metric(logitsAgain).item<double>(), value.item<double>(), 1e-6); // the pass with every hook materialises attention
        }
    }

    [Fact]
    public void The_names_filter_selects_which_gradients_are_kept()
    {
        using var tokens = Tokens();
        var (value, grads) = _model.RunWithGradients(tokens, LogitDiff(), n => n.EndsWith("hook_resid_pre", StringComparison.Ordinal));
        using (value)
        using (grads)
        {
            Assert.Equal(["blocks.0.hook_resid_pre", "blocks.1.hook_resid_pre"], grads.Keys.Order());
            Assert.Equal(new long[] { 1, tokens.shape[1], _model.Config.DModel }, grads["resid_pre", 1].shape);
            Assert.False(grads["resid_pre", 1].requires_grad);
        }
    }

    [Fact]
    public void A_metric_that_is_not_a_scalar_is_refused_with_what_to_do()
    {
        using var tokens = Tokens();
        var e = Assert.Throws<ArgumentException>(() => _model.RunWithGradients(tokens, logits => logits[0, -1]));
        Assert.Contains("scalar", e.Message);
    }

    [Fact]
    public void Backward_hooks_read_the_gradient_and_can_replace_it()
    {
        using var tokens = Tokens();
        var metric = LogitDiff();
        var (value, grads) = _model.RunWithGradients(tokens, metric, n => n is "hook_embed" or "blocks.1.hook_resid_pre");
        using (value)
        using (grads)
        {
            Tensor? seen = null, embedGrad = null;
            using (var logits = _model.RunWithHooks(tokens, [], backwardHooks:
                   [("blocks.1.hook_resid_pre", (g, _) => { seen = g.clone(); return null; })]))
                metric(logits).backward();
            Assert.NotNull(seen);
            Assert.True(allclose(seen!, grads["resid_pre", 1], rtol: 1e-9, atol: 1e-12));

            // Every path from the embedding to the logits passes the final norm: doubling the gradient there doubles it upstream.
            using (var logits = _model.RunWithHooks(tokens, [], backwardHooks:
                   [("ln_final.hook_normalized", (g, _) => g * 2), ("hook_embed", (g, _) => { embedGrad = g.clone(); return null; })]))
                metric(logits).backward();
            Assert.NotNull(embedGrad);
            Assert.True(allclose(embedGrad!, grads["hook_embed"] * 2, rtol: 1e-9, atol: 1e-12));
            seen.Dispose();
            embedGrad.Dispose();
        }
        Assert.All(_model.HookNames, n => Assert.False(_model.GetHookPoint(n).HasHooks));
    }

    [Fact]
    public void Attribution_patching_matches_the_gradient_times_the_activation_difference()
    {
        using var clean = _model.ToTokens("And Abraham said unto Isaac, Behold the fire");
        using var corrupt = _model.ToTokens("And Jacob said unto Isaac, Behold the fire");
        var metric = InterpKernel.Analysis.Metrics.LogitDiff(_model.ToSingleToken(" Isaac"), _model.ToSingleToken(" Jacob"));
        using var estimate = InterpKernel.Analysis.AttributionPatching.ResidPre(_model, clean, corrupt, metric);
        var (_, cleanCache) = _model.RunWithCache(clean, n => n.EndsWith("hook_resid_pre", StringComparison.Ordinal));
        var (value, grads) = _model.RunWithGradients(corrupt, l => metric(l).mean(), n => n.EndsWith("hook_resid_pre", StringComparison.Ordinal));
        var (_, corruptCache) = _model.RunWithCache(corrupt, n => n.EndsWith("hook_resid_pre", StringComparison.Ordinal));
        using (cleanCache) using (value) using (grads) using (corruptCache)
        {
            for (int layer = 0; layer < _model.Config.NLayers; layer++)
            {
                using var expected = ((cleanCache["resid_pre", layer] - corruptCache["resid_pre", layer]) * grads["resid_pre", layer]).sum([0, 2]) + value;
                Assert.True(allclose(estimate[layer], expected, rtol: 1e-6, atol: 1e-9), $"layer {layer}");
            }
        }
    }
}
