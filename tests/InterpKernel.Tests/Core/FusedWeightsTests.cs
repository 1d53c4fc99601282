using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Core;

/// <summary>Separate Q/K/V weights derived from a fused <c>W_QKV</c>, as GPT-2 checkpoints provide them.</summary>
public class FusedWeightsTests
{
    const int DModel = 5, Heads = 4, KvHeads = 2, DHead = 3;

    [Fact]
    public void Q_K_and_V_are_the_consecutive_column_blocks_of_the_fused_weight_head_by_head()
    {
        using var scope = NewDisposeScope();
        long width = (Heads + 2 * KvHeads) * DHead;
        var fused = arange(DModel * width, float32).reshape(DModel, width);
        var bias = arange(width, float32).neg();
        var weights = new Weights(new Dictionary<string, Tensor>
        {
            ["blocks.0.attn.W_QKV"] = fused,
            ["blocks.0.attn.b_QKV"] = bias,
        }, "test");

        Assert.True(weights.HasFusedQkv("blocks.0.attn."));
        foreach (var (name, heads, start) in new[] { ("Q", Heads, 0), ("K", KvHeads, Heads * DHead), ("V", KvHeads, (Heads + KvHeads) * DHead) })
        {
            var w = weights.Get("blocks.0.attn.W_" + name, heads, DModel, DHead);
            var b = weights.Get("blocks.0.attn.b_" + name, heads, DHead);
            for (int h = 0; h < heads; h++)
            {
                // Head h of this block reads columns start + h * d_head ... + d_head of the fused weight.
                Assert.True(w[h].equal(fused.narrow(1, start + h * DHead, DHead)).all().item<bool>(), $"W_{name} head {h}");
                Assert.True(b[h].equal(bias.narrow(0, start + h * DHead, DHead)).all().item<bool>(), $"b_{name} head {h}");
            }
        }
    }

    [Fact]
    public void Separate_weights_win_over_a_fused_one_and_a_misfit_fused_weight_is_named()
    {
        using var scope = NewDisposeScope();
        var separate = ones(Heads, DModel, DHead);
        var weights = new Weights(new Dictionary<string, Tensor>
        {
            ["blocks.0.attn.W_QKV"] = zeros(DModel, (Heads + 2 * KvHeads) * DHead),
            ["blocks.0.attn.W_Q"] = separate,
        }, "test");
        Assert.False(weights.HasFusedQkv("blocks.0.attn."));
        Assert.Same(separate, weights.Get("blocks.0.attn.W_Q", Heads, DModel, DHead));
        Assert.False(weights.Has("blocks.0.attn.W_K")); // not derived from a fused weight the separate ones override

        var misfit = new Weights(new Dictionary<string, Tensor> { ["blocks.0.attn.W_QKV"] = zeros(DModel + 1, 6) }, "test checkpoint");
        var e = Assert.Throws<InvalidDataException>(() => misfit.Get("blocks.0.attn.W_K", KvHeads, DModel, DHead));
        Assert.Contains("test checkpoint", e.Message);
        Assert.Contains("fused weight behind 'blocks.0.attn.W_K' has shape [6, 6]", e.Message);
    }
}
