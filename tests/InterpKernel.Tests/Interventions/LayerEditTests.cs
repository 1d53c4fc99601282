using InterpKernel.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Interventions;

public class LayerEditTests(AbrahamPrompts p) : IClassFixture<AbrahamPrompts>
{
    [Fact]
    public void Skipping_a_layer_equals_running_the_other_blocks_by_hand_and_is_undone_on_dispose()
    {
        using var scope = NewDisposeScope();
        var full = p.Model.Forward(p.Clean);
        Tensor skipped;
        var fired = new List<string>();
        using (p.Model.SkipLayers(0))
        using (p.Model.Hooks(n => n.EndsWith("hook_resid_pre"), (a, h) => { fired.Add(h.Name); return null; }))
        {
            Assert.Equal(new[] { 1 }, p.Model.LayerOrder);
            skipped = p.Model.Forward(p.Clean);
        }
        Assert.Equal(new[] { "blocks.1.hook_resid_pre" }, fired);
        var embedded = p.Model.Forward(p.Clean, null, stopAtLayer: 0);
        var byHand = p.Model.LnFinal.call(p.Model.Blocks[1].Forward(embedded, null)).matmul(p.Model.W_U) + p.Model.Unembed.BU;
        Assert.True(skipped.allclose(byHand, rtol: 1e-4, atol: 1e-4));
        Assert.Equal(new[] { 0, 1 }, p.Model.LayerOrder);
        Assert.True(p.Model.Forward(p.Clean).allclose(full));
    }

    [Fact]
    public void Swapped_layers_keep_their_hook_names_and_fire_in_the_new_order()
    {
        using var scope = NewDisposeScope();
        var fired = new List<string>();
        Tensor swapped;
        using (p.Model.SwapLayers(0, 1))
        using (p.Model.Hooks(n => n.EndsWith("hook_resid_pre"), (a, h) => { fired.Add(h.Name); return null; }))
            swapped = p.Model.Forward(p.Clean);
        Assert.Equal(new[] { "blocks.1.hook_resid_pre", "blocks.0.hook_resid_pre" }, fired);
        var embedded = p.Model.Forward(p.Clean, null, stopAtLayer: 0);
        var resid = p.Model.Blocks[0].Forward(p.Model.Blocks[1].Forward(embedded, null), null);
        var byHand = p.Model.LnFinal.call(resid).matmul(p.Model.W_U) + p.Model.Unembed.BU;
        Assert.True(swapped.allclose(byHand, rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void A_layer_that_does_not_exist_is_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => p.Model.SkipLayers(2));
        Assert.Contains("2 layers", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => p.Model.SwapLayers(-1, 0));
    }

    [Fact]
    public void The_robustness_sweep_reports_every_deletion_and_adjacent_swap_over_bible_text()
    {
        var text = string.Join("\n", File.ReadLines(Path.Combine(TestPaths.RepoRoot, "data", "text", "genesis.txt")).Take(40));
        var results = LayerRobustness.Sweep(p.Model, text, windowTokens: 64, maxWindows: 2);
        Assert.Equal(new[] { "none", "skip 0", "skip 1", "swap 0-1" }, results.Select(r => r.Edit));
        var none = results[0];
        Assert.Equal(1.0, none.AccuracyRetained);
        Assert.Equal(0.0, none.KlDivergence, 6);
        Assert.True(none.Accuracy > 0.2, $"the model predicts only {none.Accuracy:P0} of Genesis");
        foreach (var r in results.Skip(1))
        {
            Assert.True(r.KlDivergence > 0.01, $"{r.Edit}: KL {r.KlDivergence}");
            Assert.True(r.AccuracyRetained < 1.0, $"{r.Edit}: retained {r.AccuracyRetained}");
            Assert.Equal(r.Accuracy / none.Accuracy, r.AccuracyRetained, 9);
        }
    }
}
