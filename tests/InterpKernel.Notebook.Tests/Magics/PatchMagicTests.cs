using InterpKernel.Analysis;
using InterpKernel.Notebook.Views;

namespace InterpKernel.Notebook.Tests.Magics;

public sealed class PatchMagicTests
{
    private const string Clean = "And Abraham said unto Isaac, Behold the fire. And Abraham said unto";
    private const string Corrupt = "And Jacob said unto Isaac, Behold the fire. And Abraham said unto";

    [Fact]
    public async Task Patching_the_residual_stream_restores_the_clean_answer_only_where_the_prompts_differ()
    {
        var host = await MagicModels.HostWithModel();
        await host.Run($"#!patch --clean \"{Clean}\" --corrupt \"{Corrupt}\" --answer \" Isaac\" --wrong \" Jacob\"");

        var result = host.Variable<PatchingResult>("patching");
        // The magic shows the result itself, so #!patch and display(patching) draw the same picture.
        Assert.Same(result, host.Single<PatchingResult>());
        var view = AnalysisViews.Patching(result);
        Assert.Equal(["L0", "L1"], view.RowLabels);
        Assert.Equal(result.ColumnLabels, view.ColumnLabels);
        Assert.Equal("2:  Abraham", view.ColumnLabels[2]);
        Assert.Equal(1f, view.Values[0][2], 3);
        Assert.Equal(0f, view.Values[0][1], 3);
        Assert.Equal(0f, view.Values[0][^1], 3);
    }

    [Fact]
    public async Task Patching_heads_gives_a_layer_by_head_heatmap()
    {
        var host = await MagicModels.HostWithModel();
        await host.Run($"#!patch --clean \"{Clean}\" --corrupt \"{Corrupt}\" --answer \" Isaac\" --wrong \" Jacob\" --over heads");

        var view = AnalysisViews.Patching(host.Single<PatchingResult>());
        Assert.Equal(["L0", "L1"], view.RowLabels);
        Assert.Equal(Enumerable.Range(0, 8).Select(h => $"H{h}"), view.ColumnLabels);
        Assert.Equal("head", view.XTitle);
    }

    [Fact]
    public async Task Prompts_of_different_lengths_are_refused()
    {
        var host = await MagicModels.HostWithModel();
        var error = await host.Fails("#!patch --clean \"And Abraham said unto\" --corrupt \"And the man Jacob said unto\" --answer \" Isaac\" --wrong \" Jacob\"");
        Assert.Contains("the clean prompt has 5 tokens but the corrupted one has 7: patching needs prompts of equal length.", error.Message);
        Assert.Contains("Usage:", error.Message);
    }

    [Fact]
    public async Task A_missing_answer_fails_to_parse()
    {
        var host = await MagicModels.HostWithModel();
        var error = await host.Fails($"#!patch --clean \"{Clean}\" --corrupt \"{Corrupt}\" --wrong \" Jacob\"");
        Assert.Contains("--answer", error.Message);
        Assert.Contains("Usage:", error.Message);
    }

    [Fact]
    public async Task An_unknown_patch_target_lists_the_ones_there_are()
    {
        var host = await MagicModels.HostWithModel();
        var error = await host.Fails($"#!patch --clean \"{Clean}\" --corrupt \"{Corrupt}\" --answer \" Isaac\" --wrong \" Jacob\" --over resid_mid");
        Assert.Contains("resid_mid", error.Message);
        Assert.Contains("attn_out", error.Message);
    }
}
