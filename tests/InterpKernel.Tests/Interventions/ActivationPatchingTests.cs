using InterpKernel.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Interventions;

public class ActivationPatchingTests(AbrahamPrompts p) : IClassFixture<AbrahamPrompts>
{
    [Fact]
    public void Isaac_Jacob_and_Abraham_are_single_tokens_and_the_swap_keeps_the_token_count()
    {
        Assert.Equal(19068, p.Isaac);
        Assert.Equal(12806, p.Jacob);
        Assert.Equal(16660, p.Abraham);
        Assert.Equal(p.Clean.shape, p.Corrupt.shape);
        var clean = p.Clean[0].data<long>().ToArray();
        var corrupt = p.Corrupt[0].data<long>().ToArray();
        var differing = Enumerable.Range(0, clean.Length).Where(i => clean[i] != corrupt[i]).ToArray();
        Assert.Equal(new[] { AbrahamPrompts.SwappedPosition }, differing);
        Assert.Equal(p.Abraham, clean[AbrahamPrompts.SwappedPosition]);
        Assert.Equal(p.Jacob, corrupt[AbrahamPrompts.SwappedPosition]);
    }

    [Fact]
    public void The_clean_prompt_prefers_Isaac_more_than_the_corrupted_one()
    {
        double clean = Metrics.Evaluate(p.Model, p.Clean, p.Metric);
        double corrupt = Metrics.Evaluate(p.Model, p.Corrupt, p.Metric);
        // The two-layer model's preference is modest (about 1.83 against 1.57) but clearly there.
        Assert.True(clean > corrupt + 0.2, $"clean {clean}, corrupt {corrupt}");
    }

    [Fact]
    public void Batched_patching_equals_one_forward_per_patch()
    {
        using var batched = ActivationPatching.ResidPre(p.Model, p.Clean, p.Corrupt, p.Metric, new PatchingOptions { ChunkSize = 7 });
        using var single = ActivationPatching.ResidPre(p.Model, p.Clean, p.Corrupt, p.Metric, PatchingOptions.OneForwardPerPatch);
        Assert.Equal(new long[] { 2, p.Clean.shape[1] }, batched.shape);
        Assert.True(batched.allclose(single, rtol: 1e-4, atol: 1e-4), $"max difference {(batched - single).abs().max().item<float>()}");
        using var headsBatched = ActivationPatching.HeadOut(p.Model, p.Clean, p.Corrupt, p.Metric);
        using var headsSingle = ActivationPatching.HeadOut(p.Model, p.Clean, p.Corrupt, p.Metric, PatchingOptions.OneForwardPerPatch);
        Assert.Equal(new long[] { 2, 8 }, headsBatched.shape);
        Assert.True(headsBatched.allclose(headsSingle, rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void Only_metrics_that_read_the_last_position_let_patching_skip_the_other_positions_unembedding()
    {
        Assert.True(Metrics.ReadsOnlyLastPosition(p.Metric));
        Assert.True(Metrics.ReadsOnlyLastPosition(Metrics.Normalized(p.Metric, 2.0, 1.0)));
        Assert.False(Metrics.ReadsOnlyLastPosition(Metrics.LogitDiff(p.Isaac, p.Jacob, position: 3)));
        Func<Tensor, Tensor> own = logits => logits[.., 3, p.Isaac];
        Assert.False(Metrics.ReadsOnlyLastPosition(own));

        // Results are the same with and without the shortcut, for a known metric and for one of the user's own.
        using var shortcut = ActivationPatching.ResidPre(p.Model, p.Clean, p.Corrupt, p.Metric);
        using var full = ActivationPatching.ResidPre(p.Model, p.Clean, p.Corrupt, p.Metric, new PatchingOptions { LastPositionLogitsOnly = false });
        Assert.True(shortcut.allclose(full, rtol: 1e-4, atol: 1e-4), $"max difference {(shortcut - full).abs().max().item<float>()}");
        using var ownBatched = ActivationPatching.ResidPre(p.Model, p.Clean, p.Corrupt, own);
        using var ownSingle = ActivationPatching.ResidPre(p.Model, p.Clean, p.Corrupt, own, PatchingOptions.OneForwardPerPatch);
        Assert.True(ownBatched.allclose(ownSingle, rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void Patching_everything_restores_the_clean_metric()
    {
        double clean = Metrics.Evaluate(p.Model, p.Clean, p.Metric);
        using var values = ActivationPatching.Run(p.Model, p.Clean, p.Corrupt, p.Metric, new[]
        {
            Patch.All("hook_embed"),
            Patch.All("blocks.0.hook_resid_pre"),
            Patch.All("blocks.1.hook_resid_pre"),
            Patch.All("blocks.1.hook_resid_post"),
        });
        foreach (var v in values.data<float>().ToArray()) Assert.Equal(clean, v, 3);
    }

    [Fact]
    public void The_swapped_position_carries_the_effect_in_layer_0()
    {
        double clean = Metrics.Evaluate(p.Model, p.Clean, p.Metric);
        double corrupt = Metrics.Evaluate(p.Model, p.Corrupt, p.Metric);
        using var sweep = ActivationPatching.ResidPre(p.Model, p.Clean, p.Corrupt, p.Metric);
        var layer0 = sweep[0].data<float>().ToArray();
        // In layer 0 only the swapped token differs, so patching it there restores the clean run exactly.
        Assert.Equal(clean, layer0[AbrahamPrompts.SwappedPosition], 3);
        for (int i = 0; i < layer0.Length; i++)
            if (i != AbrahamPrompts.SwappedPosition) Assert.Equal(corrupt, layer0[i], 3);
        // Positions before the swap never differ, so patching them changes nothing in any layer.
        for (int l = 0; l < 2; l++)
            for (int i = 0; i < AbrahamPrompts.SwappedPosition; i++) Assert.Equal(corrupt, sweep[l, i].item<float>(), 3);
    }

    [Fact]
    public void Every_sweep_has_its_documented_shape_and_reports_progress()
    {
        // A short pair keeps the eleven sweeps fast.
        using var clean = p.Model.ToTokens("And Abraham said unto");
        using var corrupt = p.Model.ToTokens("And Jacob said unto");
        long pos = clean.shape[1];
        var reports = new List<PatchingProgress>();
        var progress = new SynchronousProgress<PatchingProgress>(reports.Add);
        using (var t = ActivationPatching.ResidMid(p.Model, clean, corrupt, p.Metric, progress: progress)) Assert.Equal(new[] { 2L, pos }, t.shape);
        Assert.Equal(new PatchingProgress((int)(2 * pos), (int)(2 * pos)), reports[^1]);
        Assert.True(reports.Count >= 2);
        using (var t = ActivationPatching.ResidPost(p.Model, clean, corrupt, p.Metric)) Assert.Equal(new[] { 2L, pos }, t.shape);
        using (var t = ActivationPatching.AttnOut(p.Model, clean, corrupt, p.Metric)) Assert.Equal(new[] { 2L, pos }, t.shape);
        using (var t = ActivationPatching.MlpOut(p.Model, clean, corrupt, p.Metric)) Assert.Equal(new[] { 2L, pos }, t.shape);
        using (var t = ActivationPatching.HeadOutByPos(p.Model, clean, corrupt, p.Metric)) Assert.Equal(new[] { 2L, pos, 8L }, t.shape);
        using (var t = ActivationPatching.HeadQ(p.Model, clean, corrupt, p.Metric)) Assert.Equal(new[] { 2L, 8L }, t.shape);
        using (var t = ActivationPatching.HeadK(p.Model, clean, corrupt, p.Metric)) Assert.Equal(new[] { 2L, 8L }, t.shape);
        using (var t = ActivationPatching.HeadV(p.Model, clean, corrupt, p.Metric)) Assert.Equal(new[] { 2L, 8L }, t.shape);
        using (var t = ActivationPatching.HeadPattern(p.Model, clean, corrupt, p.Metric)) Assert.Equal(new[] { 2L, 8L }, t.shape);
    }

    [Fact]
    public void A_labelled_sweep_names_layers_and_tokens()
    {
        using var result = ActivationPatching.Sweep(p.Model, p.Clean, p.Corrupt, p.Metric, PatchTarget.ResidPre,
                                                    new PatchingOptions { MetricName = "logit diff" });
        Assert.Equal(new[] { "L0", "L1" }, result.RowLabels);
        Assert.Equal("2:  Abraham", result.ColumnLabels[2]);
        Assert.Equal("logit diff", result.Metric);
        Assert.Equal(new[] { 2L, p.Clean.shape[1] }, result.Values.shape);
        using var clean = p.Model.ToTokens("And Abraham said unto");
        using var corrupt = p.Model.ToTokens("And Jacob said unto");
        using var byPos = ActivationPatching.Sweep(p.Model, clean, corrupt, p.Metric, PatchTarget.HeadOutByPos);
        Assert.Equal(16, byPos.RowLabels.Length);
        Assert.Equal("L1H7", byPos.RowLabels[^1]);
        Assert.Equal(new[] { "0: <|endoftext|>", "1: And", "2:  Abraham", "3:  said", "4:  unto" }, byPos.ColumnLabels);
        Assert.Equal(new[] { 16L, 5L }, byPos.Values.shape);
        using var plain = ActivationPatching.HeadOutByPos(p.Model, clean, corrupt, p.Metric); // [layer, pos, head]
        Assert.Equal(plain[1, 3, 7].item<float>(), byPos.Values[15, 3].item<float>());
    }

    [Fact]
    public void Prompts_of_different_lengths_are_refused_with_both_counts()
    {
        using var longer = p.Model.ToTokens("And Jacob the son said unto Isaac, Behold the fire. And Abraham said unto");
        var e = Assert.Throws<ArgumentException>(() => ActivationPatching.ResidPre(p.Model, p.Clean, longer, p.Metric));
        Assert.Contains($"{p.Clean.shape[1]} tokens", e.Message);
        Assert.Contains($"{longer.shape[1]}", e.Message);
    }

    [Fact]
    public void An_unknown_hook_name_is_refused_before_any_forward()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            ActivationPatching.Run(p.Model, p.Clean, p.Corrupt, p.Metric, new[] { Patch.All("blocks.0.hook_resid_pree") }));
        Assert.Contains("blocks.0.hook_resid_pre", e.Message);
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread, so tests see every report.</summary>
sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
