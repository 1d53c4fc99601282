using InterpKernel.Notebook.Views;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Tests.Magics;

public sealed class HeadsMagicTests
{
    [Fact]
    public async Task Head_detection_finds_previous_token_heads_in_layer_0_and_induction_heads_in_layer_1()
    {
        var host = await MagicModels.HostWithModel();
        await host.Run("#!heads detect --seq-len 20 --batch 2 --seed 1");

        Assert.Equal(3, host.Displays.Count);
        var views = host.Displays.Cast<PatchingHeatmapView>().ToArray();
        Assert.All(views, v => Assert.Equal(["L0", "L1"], v.RowLabels));
        Assert.All(views, v => Assert.Equal(HeatmapScale.Unit, v.Scale));
        Assert.StartsWith("Previous-token", views[0].Title);
        Assert.StartsWith("Duplicate-token", views[1].Title);
        Assert.StartsWith("Induction", views[2].Title);

        var previous = host.Variable<Tensor>("previousTokenScores");
        var induction = host.Variable<Tensor>("inductionScores");
        Assert.Equal(new long[] { 2, 8 }, induction.shape);
        Assert.True(previous[0].max().item<float>() > 0.5f);
        Assert.True(induction[1].max().item<float>() > induction[0].max().item<float>());
        Assert.Equal(previous[0, 3].item<float>(), views[0].Values[0][3], 5);
    }

    [Fact]
    public async Task A_sequence_too_long_for_the_context_is_refused()
    {
        var host = await MagicModels.HostWithModel();
        var error = await host.Fails("#!heads detect --seq-len 200");
        Assert.Contains("--seq-len 200 does not fit", error.Message);
        Assert.Contains("use 2 to 127", error.Message);
    }
}
