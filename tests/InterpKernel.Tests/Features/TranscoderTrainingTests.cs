using InterpKernel.Analysis;
using InterpKernel.Tests.Loading;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Features;

/// <summary>A transcoder trained by the SAE trainer predicts the MLP's output on text it never saw, splices and round-trips.</summary>
public class TranscoderTrainingTests(ITestOutputHelper output)
{
    const string In = "blocks.0.ln2.hook_normalized";
    const string Out = "blocks.0.hook_mlp_out";

    /// <summary>The settings docs/saes-and-transcoders.md reports.</summary>
    public static SaeTrainingOptions Options(bool skip) => new()
    {
        HookNameOut = Out, HasSkip = skip, DSae = 512, K = 64, Steps = 200, BatchTokens = 256, LearningRate = 5e-3,
        ContextLength = 64, BufferContexts = 64, EvaluationContexts = 1,
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_transcoder_trained_on_genesis_predicts_most_of_the_mlp_output_on_exodus(bool skip)
    {
        using var model = FeatureTestData.Model();
        var (transcoder, report) = SaeTrainer.Train(model, In, Path.Combine(TestPaths.RepoRoot, "data", "text", "genesis.txt"), Options(skip));
        using (transcoder)
        {
            output.WriteLine($"training: {report}");
            Assert.Equal(new SaeConfig(SaeArchitecture.TopK, 128, 512, In)
                { K = 64, HookNameOut = Out, DOut = 128, HasSkip = skip, ApplyBDecToInput = false, ModelName = "kjv-gpt2-2l" }, transcoder.Config);
            Assert.Equal(skip, transcoder.WSkip is not null);
            Assert.False(transcoder.WEnc.requires_grad);

            var heldOut = SaeEvaluator.Evaluate(model, transcoder, File.ReadLines(Path.Combine(TestPaths.RepoRoot, "data", "text", "exodus.txt")),
                contextLength: 64, maxContexts: 8);
            output.WriteLine($"exodus: {heldOut}");
            Assert.True(heldOut.ExplainedVariance >= 0.8, $"explained variance of mlp_out on exodus {heldOut.ExplainedVariance:F3}");
            Assert.True(heldOut.CeLossWithSae < heldOut.CeLossZeroAblated, "splicing the transcoder beats removing the MLP");

            // It splices like a loaded transcoder: with the error term the model is unchanged.
            using var scope = NewDisposeScope();
            var tokens = model.ToTokens("And Moses said unto the people, Fear ye not");
            var clean = model.Forward(tokens);
            using (model.WithSae(transcoder, useErrorTerm: true))
                Assert.True((model.Forward(tokens) - clean).abs().max().item<float>() < 1e-4);

            // And it round-trips through the SAELens layout.
            using var folder = new TempFolder();
            transcoder.Save(folder.Path);
            using var loaded = SparseAutoencoder.Load(folder.Path);
            Assert.Equal(transcoder.Config, loaded.Config);
            var x = randn(3, 128);
            Assert.True(loaded.forward(x).allclose(transcoder.forward(x), rtol: 1e-5, atol: 1e-6));
        }
    }

    [Fact]
    public void Transcoder_options_that_cannot_work_are_refused()
    {
        Assert.Contains("HookNameOut", Assert.Throws<ArgumentException>(() => SaeTrainer.Train([zeros(4, 8), zeros(4, 8)], In,
            new SaeTrainingOptions { HasSkip = true })).Message);
        Assert.Contains("model", Assert.Throws<ArgumentException>(() => SaeTrainer.Train([zeros(4, 8), zeros(4, 8)], In,
            new SaeTrainingOptions { HookNameOut = Out })).Message);
    }
}
