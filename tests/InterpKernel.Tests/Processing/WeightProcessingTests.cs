using InterpKernel.Components;
using Xunit;
using static InterpKernel.Tests.Processing.ProcessingModels;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Processing;

/// <summary>TransformerLens's weight processing: what it keeps (the next-token distribution) and what it changes.</summary>
public class WeightProcessingTests
{
    const double Tolerance = 1e-4;

    public static TheoryData<string> Checkpoints => new() { Kjv, "tiny-gpt-neox", "tiny-llama", "tiny-qwen2" };

    public static TheoryData<string> LayerNormCheckpoints => new() { Kjv, "tiny-gpt-neox" };

    public static TheoryData<string> RmsNormCheckpoints => new() { "tiny-llama", "tiny-qwen2" };

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void Processing_keeps_every_next_token_log_probability(string name)
    {
        using var raw = HookedTransformer.FromPretrainedNoProcessing(Folder(name));
        using var processed = HookedTransformer.FromPretrained(Folder(name));
        using var scope = NewDisposeScope();
        var tokens = Prompt(raw);
        var rawLogits = raw.Forward(tokens);
        var processedLogits = processed.Forward(tokens);
        double diff = MaxAbsDiff(rawLogits.log_softmax(-1), processedLogits.log_softmax(-1));
        Assert.True(diff <= Tolerance, $"{name}: log_softmax differs by {diff:E3}");
        // Centering the unembedding shifts each position's logits by one constant: the difference is flat over d_vocab.
        double spread = (rawLogits - processedLogits).to(ScalarType.Float64).std([-1]).max().item<double>();
        Assert.True(spread <= Tolerance, $"{name}: logit shift varies over the vocabulary by {spread:E3}");
    }

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void Attention_patterns_are_unchanged_by_processing(string name)
    {
        using var raw = HookedTransformer.FromPretrainedNoProcessing(Folder(name));
        using var processed = HookedTransformer.FromPretrained(Folder(name));
        using var scope = NewDisposeScope();
        var tokens = Prompt(raw);
        static bool Patterns(string n) => n.EndsWith("hook_pattern", StringComparison.Ordinal);
        var (rawLogits, rawCache) = raw.RunWithCache(tokens, Patterns);
        var (processedLogits, processedCache) = processed.RunWithCache(tokens, Patterns);
        using (rawCache)
        using (processedCache)
        {
            for (int l = 0; l < raw.Config.NLayers; l++)
            {
                double diff = MaxAbsDiff(rawCache["pattern", l], processedCache["pattern", l]);
                Assert.True(diff <= Tolerance, $"{name}: pattern of layer {l} differs by {diff:E3}");
            }
        }
    }

    [Fact]
    public void Centering_removes_the_residual_streams_mean_and_leaves_the_rest_of_it()
    {
        using var raw = HookedTransformer.FromPretrainedNoProcessing(Folder(Kjv));
        using var processed = HookedTransformer.FromPretrained(Folder(Kjv));
        using var scope = NewDisposeScope();
        var tokens = Prompt(raw);
        var (_, rawCache) = raw.RunWithCache(tokens);
        var (_, processedCache) = processed.RunWithCache(tokens);
        using (rawCache)
        using (processedCache)
        {
            foreach (var hook in new[] { "blocks.0.hook_resid_pre", "blocks.1.hook_resid_mid", "blocks.1.hook_resid_post", "blocks.0.hook_attn_out", "blocks.1.hook_mlp_out" })
            {
                var expected = rawCache[hook] - rawCache[hook].mean([-1], keepdim: true);
                double diff = MaxAbsDiff(expected, processedCache[hook]);
                Assert.True(diff <= Tolerance, $"{hook}: processed value differs from the centered raw value by {diff:E3}");
            }
            // LayerNorm outputs lose the learned scale and bias; the scale statistic itself is unchanged.
            double scale = MaxAbsDiff(rawCache["blocks.1.ln1.hook_scale"], processedCache["blocks.1.ln1.hook_scale"]);
            Assert.True(scale <= Tolerance, $"ln1.hook_scale differs by {scale:E3}");
            double q = MaxAbsDiff(rawCache["blocks.1.attn.hook_q"], processedCache["blocks.1.attn.hook_q"]);
            Assert.True(q <= Tolerance, $"hook_q differs by {q:E3}");
            // z loses exactly the value bias, ln1's folded bias included (each pattern row sums to 1).
            var rawAttn = raw.Blocks[1].Attn;
            var ln1Bias = Assert.IsType<LayerNorm>(raw.Blocks[1].Ln1).B!;
            var valueBias = rawAttn.BV + einsum("m,hmd->hd", ln1Bias, rawAttn.WV); // [head_index, d_head]
            double z = MaxAbsDiff(rawCache["blocks.1.attn.hook_z"] - valueBias, processedCache["blocks.1.attn.hook_z"]);
            Assert.True(z <= Tolerance, $"hook_z differs from raw z - b_V by {z:E3}");
        }
    }

    [Theory]
    [MemberData(nameof(LayerNormCheckpoints))]
    public void Writing_weights_have_zero_mean_over_d_model_and_the_unembedding_over_d_vocab(string name)
    {
        using var model = HookedTransformer.FromPretrained(Folder(name));
        const double zero = 1e-6;
        AssertZero(MaxAbsMean(model.W_E, 1), $"{name} W_E", zero);
        if (model.PosEmbed is { } pos) AssertZero(MaxAbsMean(pos.WPos, 1), $"{name} W_pos", zero);
        foreach (var block in model.Blocks)
        {
            AssertZero(MaxAbsMean(block.Attn.WO, 2), $"{name} blocks.{block.Layer}.attn.W_O", zero);
            AssertZero(MaxAbsMean(block.Attn.BO, 0), $"{name} blocks.{block.Layer}.attn.b_O", zero);
            AssertZero(MaxAbsMean(block.Mlp.WOut, 1), $"{name} blocks.{block.Layer}.mlp.W_out", zero);
            AssertZero(MaxAbsMean(block.Mlp.BOut, 0), $"{name} blocks.{block.Layer}.mlp.b_out", zero);
            // Weights that read a LayerNorm's (zero-mean) output are centered too, as TransformerLens does.
            AssertZero(MaxAbsMean(block.Attn.WQ, 1), $"{name} blocks.{block.Layer}.attn.W_Q", zero);
            AssertZero(MaxAbsMean(block.Mlp.WIn, 0), $"{name} blocks.{block.Layer}.mlp.W_in", zero);
        }
        AssertZero(MaxAbsMean(model.W_U, 1), $"{name} W_U over d_vocab", zero);
        AssertZero(MaxAbsMean(model.Unembed.BU, 0), $"{name} b_U", zero);
    }

    [Theory]
    [MemberData(nameof(RmsNormCheckpoints))]
    public void RmsNorm_models_keep_their_writing_weights_uncentered_but_center_the_unembedding(string name)
    {
        using var raw = HookedTransformer.FromPretrainedNoProcessing(Folder(name));
        using var processed = HookedTransformer.FromPretrained(Folder(name));
        Assert.Equal(0.0, MaxAbsDiff(raw.W_E, processed.W_E));
        Assert.Equal(0.0, MaxAbsDiff(raw.Blocks[0].Mlp.WOut, processed.Blocks[0].Mlp.WOut));
        Assert.True(MaxAbsMean(processed.W_E, 1) > 1e-4, $"{name}: W_E was centered although RMSNorm keeps the mean");
        AssertZero(MaxAbsMean(processed.W_U, 1), $"{name} W_U over d_vocab", 1e-6);
        Assert.Equal(NormalizationType.RmsNormPre, processed.Config.Normalization);
        foreach (var block in processed.Blocks)
        {
            Assert.Null(Assert.IsType<RmsNorm>(block.Ln1).W);
            Assert.Null(Assert.IsType<RmsNorm>(block.Ln2).W);
        }
        Assert.Null(Assert.IsType<RmsNorm>(processed.LnFinal).W);
    }

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void Value_biases_are_zero_after_folding(string name)
    {
        using var raw = HookedTransformer.FromPretrainedNoProcessing(Folder(name));
        using var model = HookedTransformer.FromPretrained(Folder(name));
        foreach (var block in model.Blocks)
            Assert.Equal(0.0, MaxAbsDiff(block.Attn.BV, zeros_like(block.Attn.BV)));
        if (name != "tiny-llama")
            Assert.True(MaxAbsMean(raw.Blocks[0].Attn.BV, 1) > 0, $"{name}: the raw checkpoint should have value biases to fold");
    }

    [Theory]
    [MemberData(nameof(LayerNormCheckpoints))]
    public void Folded_layer_norms_report_no_weights(string name)
    {
        using var model = HookedTransformer.FromPretrained(Folder(name));
        Assert.True(model.WeightsProcessed);
        Assert.Equal(NormalizationType.LayerNormPre, model.Config.Normalization);
        var norms = model.Blocks.SelectMany(b => new[] { b.Ln1, b.Ln2 }).Append(model.LnFinal).Select(n => Assert.IsType<LayerNorm>(n));
        foreach (var norm in norms)
        {
            Assert.Null(norm.W);
            Assert.Null(norm.B);
        }
    }

    [Fact]
    public void Loading_without_processing_keeps_the_checkpoints_norms_and_weights()
    {
        using var model = HookedTransformer.FromPretrained(Folder(Kjv), "cpu", null, processWeights: false);
        using var same = HookedTransformer.FromPretrainedNoProcessing(Folder(Kjv));
        Assert.False(model.WeightsProcessed);
        Assert.Equal(NormalizationType.LayerNorm, model.Config.Normalization);
        var ln1 = Assert.IsType<LayerNorm>(model.Blocks[0].Ln1);
        Assert.NotNull(ln1.W);
        Assert.NotNull(ln1.B);
        Assert.Equal(0.0, MaxAbsDiff(model.W_E, same.W_E));
        Assert.True(MaxAbsMean(model.W_E, 1) > 1e-4, "raw W_E should not be centered");
    }

    [Fact]
    public void Every_step_but_unembedding_centering_leaves_the_logits_themselves_unchanged()
    {
        using var raw = HookedTransformer.FromPretrainedNoProcessing(Folder(Kjv));
        using var processed = HookedTransformer.FromPretrained(Folder(Kjv), new LoadOptions { CenterUnembed = false });
        using var scope = NewDisposeScope();
        var tokens = Prompt(raw);
        double diff = MaxAbsDiff(raw.Forward(tokens), processed.Forward(tokens));
        Assert.True(diff <= Tolerance, $"logits differ by {diff:E3}");
        Assert.True(MaxAbsMean(processed.W_U, 1) > 1e-4, "W_U should keep its mean over d_vocab when CenterUnembed is false");
    }

    [Fact]
    public void Steps_can_be_turned_off_one_by_one()
    {
        var options = new LoadOptions { FoldLayerNorm = false, CenterWritingWeights = false, FoldValueBiases = false };
        using var model = HookedTransformer.FromPretrained(Folder(Kjv), options);
        Assert.Equal(NormalizationType.LayerNorm, model.Config.Normalization);
        Assert.NotNull(Assert.IsType<LayerNorm>(model.LnFinal).W);
        Assert.True(MaxAbsMean(model.W_E, 1) > 1e-4, "W_E should not be centered when CenterWritingWeights is false");
        Assert.True(MaxAbsMean(model.Blocks[0].Attn.BV, 1) > 0, "b_V should stay when FoldValueBiases is false");
        AssertZero(MaxAbsMean(model.W_U, 1), "W_U over d_vocab", 1e-6);
    }

    static void AssertZero(double value, string what, double tolerance) =>
        Assert.True(value <= tolerance, $"{what}: largest |mean| is {value:E3}, expected 0");
}
