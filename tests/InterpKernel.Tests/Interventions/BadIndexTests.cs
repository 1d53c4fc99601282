using InterpKernel.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Interventions;

public class BadIndexTests(AbrahamPrompts p) : IClassFixture<AbrahamPrompts>
{
    [Fact]
    public void An_ablation_of_a_head_the_model_lacks_fails_naming_the_valid_heads()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ablation.Apply(p.Model, AblationTarget.Head(1, 8), AblationKind.Zero));
        Assert.Contains("0 to 7", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => Ablation.Apply(p.Model, AblationTarget.Head(2, 0), AblationKind.Zero));
        Assert.Contains("0 to 1", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => AblationTarget.Head(0, -1));
        Assert.Contains("numbered from 0", e.Message);
    }

    [Fact]
    public void An_ablation_of_a_neuron_the_model_lacks_fails_naming_d_mlp()
    {
        int dMlp = p.Model.Config.DMlp;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ablation.Apply(p.Model, AblationTarget.Neurons(0, 3, dMlp), AblationKind.Zero));
        Assert.Contains($"0 to {dMlp - 1}", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => AblationTarget.Neurons(-1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => AblationTarget.Mlp(-1));
    }

    [Fact]
    public void A_path_receiver_head_out_of_range_fails_before_any_forward()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            PathPatching.Single(p.Model, p.Clean, p.Corrupt, p.Metric, 0, 1, new[] { PathReceiver.Query(1, 9) }));
        Assert.Contains("0 to 7", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            PathPatching.Sweep(p.Model, p.Clean, p.Corrupt, p.Metric, new[] { PathReceiver.Key(5, 0) }));
        Assert.Contains("0 to 1", e.Message);
    }

    [Fact]
    public void A_steering_direction_of_the_wrong_width_is_refused_when_attached()
    {
        using var wrong = randn(p.Model.Config.DModel + 1);
        var e = Assert.Throws<ArgumentException>(() => p.Model.Steer("blocks.1.hook_resid_pre", wrong, 2f));
        Assert.Contains($"{p.Model.Config.DModel} wide", e.Message);
        using var residWidth = randn(p.Model.Config.DModel);
        Assert.Throws<ArgumentException>(() => p.Model.Steer("blocks.0.mlp.hook_post", residWidth, 2f));
        Assert.Throws<ArgumentException>(() => p.Model.Steer("blocks.0.attn.hook_z", residWidth, 2f));
        using var headWidth = randn(p.Model.Config.DHead);
        using (p.Model.Steer("blocks.0.attn.hook_z", headWidth, 2f)) p.Model.Forward(p.Clean).Dispose();
    }
}
