using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Core;

/// <summary>The rule of <see cref="HookFunction"/>: what a hook makes survives the pass; each block's temporaries do not.</summary>
public class HookTensorLifetimeTests(Gpt2Fixture fixture) : IClassFixture<Gpt2Fixture>
{
    readonly HookedTransformer _model = fixture.Model;

    [Fact]
    public void A_tensor_made_inside_a_hook_and_kept_survives_the_forward_pass()
    {
        using var tokens = _model.ToTokens("In the beginning God created");
        Tensor? norms = null, copy = null;
        using (var logits = _model.RunWithHooks(tokens,
                   ("blocks.0.hook_resid_post", (a, _) => { norms = a.norm(-1); return null; }),
                   ("blocks.1.attn.hook_pattern", (p, _) => { copy = p.clone(); return null; })))
        {
        }
        Assert.NotNull(norms);
        Assert.Equal(new long[] { 1, tokens.shape[1] }, norms!.shape);
        Assert.True(norms.sum().item<float>() > 0);
        Assert.Equal(new long[] { 1, _model.Config.NHeads, tokens.shape[1], tokens.shape[1] }, copy!.shape);
        Assert.Equal(_model.Config.NHeads * tokens.shape[1], copy.sum().item<float>(), 2);
        norms.Dispose();
        copy.Dispose();
    }

    [Fact]
    public void A_tensor_made_inside_a_hook_belongs_to_the_scope_around_the_pass()
    {
        using var tokens = _model.ToTokens("In the beginning God created");
        Tensor? kept = null;
        using (var scope = NewDisposeScope())
        {
            _model.RunWithHooks(tokens, ("blocks.1.hook_mlp_out", (a, _) => { kept = a.mean(); return null; }));
            Assert.False(kept!.IsInvalid);
        }
        Assert.True(kept.IsInvalid);
    }

    [Fact]
    public void A_pass_holds_one_blocks_temporaries_at_a_time()
    {
        // Live tensors seen from inside the last block do not grow with the number of blocks before it.
        long LiveInLastBlock(int layers)
        {
            var config = _model.Config with { NLayers = layers };
            using var model = HookedTransformer.FromConfig(config, seed: 1);
            using var tokens = randint(0, config.DVocab, [1, 12], ScalarType.Int64);
            model.Forward(tokens).Dispose();
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount, inside = 0;
            using (model.Hooks(($"blocks.{layers - 1}.mlp.hook_post", (_, _) => { inside = DisposeScopeManager.Statistics.ThreadTotalLiveCount; return null; })))
                model.Forward(tokens).Dispose();
            return inside - before;
        }
        long two = LiveInLastBlock(2), eight = LiveInLastBlock(8);
        Assert.True(eight <= two + 2, $"live tensors in the last block: {two} with 2 blocks, {eight} with 8");
    }
}
