using InterpKernel.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Circuits.Attribution;

public sealed class ReplacementModelTests(AttributionFixture fx) : IClassFixture<AttributionFixture>
{
    [Fact]
    public void With_its_errors_the_replacement_model_gives_the_original_logits()
    {
        using var replacement = ReplacementModel.Create(fx.Model, fx.Transcoders, fx.Tokens);
        using var original = fx.Model.Forward(fx.Tokens);
        using var logits = replacement.Run();
        using var frozen = replacement.Run(freezeFeatures: true);
        Assert.True((logits - original).abs().max().item<float>() < 1e-4f);
        Assert.True((frozen - original).abs().max().item<float>() < 1e-4f);
    }

    [Fact]
    public void The_transcoders_are_sparse_and_leave_an_error()
    {
        using var replacement = ReplacementModel.Create(fx.Model, fx.Transcoders, fx.Tokens);
        for (int l = 0; l < fx.Model.Config.NLayers; l++)
        {
            long active = replacement.Activations(l).count_nonzero().item<long>();
            Assert.InRange(active, 10 * replacement.Positions, 40 * replacement.Positions);
            double error = replacement.Errors(l).norm().item<float>(), output = replacement.MlpOut(l).norm().item<float>();
            Assert.True(error > 0 && error < output, $"layer {l}: error {error}, output {output}");
        }
    }

    [Fact]
    public void Interventions_name_features_that_exist()
    {
        using var replacement = ReplacementModel.Create(fx.Model, fx.Transcoders, fx.Tokens);
        Assert.Throws<ArgumentException>(() => replacement.Run([FeatureIntervention.Set(0, 99, 0, 0)]));
        Assert.Throws<ArgumentException>(() => replacement.Run([FeatureIntervention.Set(0, 0, 100_000, 0)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => replacement.Run([FeatureIntervention.Set(5, 0, 0, 0)]));
    }

    [Fact]
    public void Graphs_interventions_pruning_and_files_leave_no_live_tensors()
    {
        using (var warm = ReplacementModel.Create(fx.Model, fx.Transcoders, fx.Tokens)) AttributionGraph.Compute(warm).Prune();
        using var flat = fx.Tokens[0]; // [pos]
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var replacement = ReplacementModel.Create(fx.Model, fx.Transcoders, flat))
        {
            var graph = AttributionGraph.Compute(replacement);
            replacement.Run([FeatureIntervention.Set(graph.Nodes[0], 0)]).Dispose();
            replacement.Run(freezeFeatures: true).Dispose();
            graph.ToJson("leak", graph.Prune());
        }
        AttributionGraph.Compute(fx.Model, fx.Transcoders, fx.Tokens);
        Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Transcoder_sets_and_options_say_what_to_give_instead()
    {
        var one = new TranscoderSet([fx.Saes[0]]);
        var e = Assert.Throws<ArgumentException>(() => ReplacementModel.Create(fx.Model, one, fx.Tokens));
        Assert.Contains("one per layer", e.Message);
        using var sae = SparseAutoencoder.Create(new SaeConfig(SaeArchitecture.Standard, 128, 16, TranscoderSet.InputHook(0)));
        Assert.Contains("ApplyBDecToInput", Assert.Throws<ArgumentException>(() => new TranscoderSet([sae])).Message);
        Assert.Throws<ArgumentException>(() => new AttributionOptions { MaxLogits = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new AttributionOptions { DesiredLogitProbability = 1.5 }.Validate());
        Assert.Throws<ArgumentException>(() => new AttributionOptions { BatchSize = 0 }.Validate());
        using var two = zeros([2, 3], ScalarType.Int64);
        Assert.Throws<ArgumentException>(() => ReplacementModel.Create(fx.Model, fx.Transcoders, two));
    }
}
