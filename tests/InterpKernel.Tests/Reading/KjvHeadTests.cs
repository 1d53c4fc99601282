using InterpKernel.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Reading;

/// <summary>The previous-token → induction circuit that kjv-gpt2-2l was trained to form.</summary>
public class KjvHeadTests : IClassFixture<Kjv2lFixture>
{
    readonly HookedTransformer _model;

    public KjvHeadTests(Kjv2lFixture fixture) => _model = fixture.Model;

    Tensor VerseTokens() => _model.ToTokens([
        "And God said, Let there be light: and there was light.",
        "And the evening and the morning were the first day, and God saw",
        "Now the serpent was more subtil than any beast of the field which"]);

    [Fact]
    public void The_strongest_previous_token_head_is_in_layer_0()
    {
        using var scope = NewDisposeScope();
        var scores = HeadDetectors.PreviousToken(_model, VerseTokens());
        Assert.Equal(new long[] { 2, 8 }, scores.shape);
        var (layer, head) = ReadingAssert.ArgMax(scores);
        Assert.Equal(0, layer);
        Assert.True(scores[layer, head].item<float>() > 0.5f, $"previous-token head {head} scores only {scores[layer, head].item<float>()}");
    }

    [Fact]
    public void The_strongest_induction_heads_are_in_layer_1()
    {
        using var scope = NewDisposeScope();
        var scores = HeadDetectors.Induction(_model, seqLen: 30, batch: 4, seed: 3);
        var (layer, head) = ReadingAssert.ArgMax(scores);
        Assert.Equal(1, layer);
        Assert.True(scores[1, head].item<float>() > 0.3f, $"best induction head scores only {scores[1, head].item<float>()}");
        Assert.True(scores[1].max().item<float>() > 3 * scores[0].max().item<float>(), "layer 1 should dominate layer 0 in induction");
    }

    [Fact]
    public void The_second_copy_of_repeated_tokens_is_predicted_far_better_than_the_first()
    {
        var curve = RepeatedTokens.LossCurve(_model, seqLen: 30, batch: 4, seed: 5);
        Assert.Equal(60, curve.PerPosition.Length);
        Assert.True(curve.SecondCopyLoss < curve.FirstCopyLoss - 2,
            $"first copy {curve.FirstCopyLoss:F2}, second {curve.SecondCopyLoss:F2}");
        var frame = curve.ToDataFrame();
        Assert.Equal(60, frame.Rows.Count);
    }

    [Fact]
    public void Zero_ablating_the_induction_heads_raises_the_second_copy_loss()
    {
        using var scope = NewDisposeScope();
        var scores = HeadDetectors.Induction(_model, seqLen: 30, batch: 4, seed: 3);
        var layer1 = scores[1].data<float>().ToArray();
        var inductionHeads = Enumerable.Range(0, layer1.Length).Where(h => layer1[h] > 0.3f).ToArray();
        Assert.NotEmpty(inductionHeads);
        var tokens = RepeatedTokens.Generate(_model, seqLen: 30, batch: 4, seed: 11);
        var clean = RepeatedTokens.LossCurve(_model, tokens, 30);
        InContextLossCurve ablated;
        using (_model.Hooks(("blocks.1.attn.hook_z", ZeroHeads(inductionHeads))))
            ablated = RepeatedTokens.LossCurve(_model, tokens, 30);
        double secondRise = ablated.SecondCopyLoss - clean.SecondCopyLoss;
        double firstRise = ablated.FirstCopyLoss - clean.FirstCopyLoss;
        Assert.True(secondRise > 1,
            $"clean {clean.SecondCopyLoss:F2}, induction heads {string.Join(",", inductionHeads)} ablated {ablated.SecondCopyLoss:F2}");
        // The damage is to in-context copying: the first copy, which induction cannot help, barely moves.
        Assert.True(secondRise > 2 * Math.Abs(firstRise), $"second copy rose {secondRise:F2}, first copy {firstRise:F2}");
    }

    static HookFunction ZeroHeads(int[] heads) => (z, _) =>
    {
        // z: [batch, pos, head_index, d_head]
        var index = tensor(heads.Select(h => (long)h).ToArray(), ScalarType.Int64, z.device);
        return z.index_fill(2, index, 0);
    };
}
