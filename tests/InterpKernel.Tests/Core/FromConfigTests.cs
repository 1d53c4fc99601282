using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Core;

/// <summary>Random models built as a GPU build makes them: weights drawn in the model's dtype, query/key/value fused.</summary>
public class FromConfigTests
{
    static TransformerConfig SmallLlama => new()
    {
        DModel = 64, NHeads = 4, NKeyValueHeads = 2, DHead = 16, NLayers = 2, DMlp = 128, NCtx = 64, DVocab = 97,
        Normalization = NormalizationType.RmsNorm, PositionalEmbedding = PositionalEmbeddingType.Rotary, GatedMlp = true,
        Activation = "silu", ModelType = "llama",
    };

    [Fact]
    public void Fused_random_weights_give_the_per_head_views_the_forward_uses()
    {
        using var model = HookedTransformer.FromConfig(SmallLlama, 3, "cpu", ScalarType.Float32, 0.02, fuseQkv: true);
        using var tokens = randint(0, SmallLlama.DVocab, [2, 9], ScalarType.Int64);
        var (logits, cache) = model.RunWithCache(tokens);
        using (logits)
        using (cache)
        {
            Assert.Equal(new long[] { 2, 9, SmallLlama.DVocab }, logits.shape);
            Assert.Equal(new long[] { 4, 64, 16 }, model.Blocks[1].Attn.WQ.shape);
            Assert.Equal(new long[] { 2, 64, 16 }, model.Blocks[1].Attn.WV.shape);
            using var q = einsum("bpm,hmd->bphd", cache["blocks.1.ln1.hook_normalized"], model.Blocks[1].Attn.WQ);
            Assert.True(allclose(q, cache["blocks.1.attn.hook_q"], rtol: 1e-5, atol: 1e-6));
            using var v = einsum("bpm,hmd->bphd", cache["blocks.1.ln1.hook_normalized"], model.Blocks[1].Attn.WV);
            Assert.True(allclose(v, cache["blocks.1.attn.hook_v"], rtol: 1e-5, atol: 1e-6));
        }
    }

    [Fact]
    public void A_model_can_be_built_in_bfloat16_directly()
    {
        using var model = HookedTransformer.FromConfig(SmallLlama, "cpu", ScalarType.BFloat16);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        using var tokens = randint(0, SmallLlama.DVocab, [1, 5], ScalarType.Int64);
        using var logits = model.Forward(tokens);
        Assert.Equal(ScalarType.BFloat16, logits.dtype);
    }
}
