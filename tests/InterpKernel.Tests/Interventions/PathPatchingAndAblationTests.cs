using InterpKernel.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Interventions;

public class PathPatchingAndAblationTests(AbrahamPrompts p) : IClassFixture<AbrahamPrompts>
{
    [Fact]
    public void Path_patching_last_layer_heads_into_the_final_residual_stream_equals_patching_their_outputs()
    {
        using var scope = NewDisposeScope();
        var path = PathPatching.Sweep(p.Model, p.Clean, p.Corrupt, p.Metric, new[] { PathReceiver.ResidPost(1) });
        var direct = ActivationPatching.HeadOut(p.Model, p.Clean, p.Corrupt, p.Metric);
        Assert.Equal(new[] { 2L, 8L }, path.shape);
        Assert.True(path[1].allclose(direct[1], rtol: 1e-4, atol: 1e-4), $"max difference {(path[1] - direct[1]).abs().max().item<float>()}");
    }

    [Fact]
    public void A_sender_cannot_reach_a_receiver_in_its_own_layer()
    {
        using var scope = NewDisposeScope();
        double corrupt = Metrics.Evaluate(p.Model, p.Corrupt, p.Metric);
        var path = PathPatching.Sweep(p.Model, p.Clean, p.Corrupt, p.Metric, new[] { PathReceiver.Query(1, 3), PathReceiver.Key(1, 3) });
        foreach (var v in path[1].data<float>().ToArray()) Assert.Equal(corrupt, v, 4);
        // Layer-0 heads do reach head 1.3, and a single sender gives the sweep's value.
        Assert.Contains(path[0].data<float>().ToArray(), v => Math.Abs(v - corrupt) > 1e-3);
        double single = PathPatching.Single(p.Model, p.Clean, p.Corrupt, p.Metric, 0, 5, new[] { PathReceiver.Query(1, 3), PathReceiver.Key(1, 3) });
        Assert.Equal(path[0, 5].item<float>(), single, 4);
    }

    [Fact]
    public void Zero_ablating_a_head_equals_zeroing_its_z_by_hand()
    {
        using var scope = NewDisposeScope();
        var result = Ablation.Run(p.Model, p.Clean, AblationTarget.Head(1, 4), AblationKind.Zero, p.Metric);
        var byHand = p.Model.RunWithHooks(p.Clean, ("blocks.1.attn.hook_z", (z, _) => { var c = z.clone(); c[.., .., 4] = 0; return c; }));
        Assert.Equal(p.Metric(byHand).item<float>(), result.Ablated, 4);
        Assert.Equal(Metrics.Evaluate(p.Model, p.Clean, p.Metric), result.Baseline, 5);
        Assert.Equal("L1H4", result.Target);
    }

    [Fact]
    public void Neuron_mlp_and_mean_ablations_change_the_loss_and_leave_no_hooks_behind()
    {
        using var scope = NewDisposeScope();
        var genesis = File.ReadLines(Path.Combine(TestPaths.RepoRoot, "data", "text", "genesis.txt")).Take(4).ToArray();
        var tokens = p.Model.ToTokens(genesis[0]);
        var loss = Metrics.NextTokenLoss(tokens);
        var reference = p.Model.ToTokens(genesis.Skip(1).ToArray());
        var mlp = Ablation.Run(p.Model, tokens, AblationTarget.Mlp(0), AblationKind.Zero, loss);
        Assert.True(mlp.Effect > 0.5, $"zeroing MLP 0 raised the loss by only {mlp.Effect}");
        var neurons = Ablation.Run(p.Model, tokens, AblationTarget.Neurons(0, 1, 2, 3), AblationKind.Mean, loss, reference);
        Assert.NotEqual(0, neurons.Effect);
        Assert.True(Math.Abs(neurons.Effect) < Math.Abs(mlp.Effect));
        Assert.All(p.Model.HookNames, n => Assert.False(p.Model.GetHookPoint(n).HasHooks, n));
        var sweep = Ablation.HeadSweep(p.Model, p.Clean, AblationKind.Zero, p.Metric);
        Assert.Equal(new[] { 2L, 8L }, sweep.shape);
    }

    [Fact]
    public void Resample_ablation_takes_activations_from_a_reference_prompt_of_the_same_length()
    {
        using var scope = NewDisposeScope();
        // Resampling the whole embedding from the corrupted prompt turns the clean run into the corrupted run.
        var target = new AblationTarget("hook_embed", Array.Empty<TensorIndex>(), "embed");
        var result = Ablation.Run(p.Model, p.Clean, target, AblationKind.Resample, p.Metric, p.Corrupt);
        Assert.Equal(Metrics.Evaluate(p.Model, p.Corrupt, p.Metric), result.Ablated, 4);
        var e = Assert.Throws<ArgumentException>(() => Ablation.Apply(p.Model, target, AblationKind.Mean));
        Assert.Contains("referenceTokens", e.Message);
    }
}
