using InterpKernel.Notebook.Views;

namespace InterpKernel.Notebook.Tests.Magics;

public sealed class HooksMagicTests
{
    [Fact]
    public async Task Hooks_list_shows_every_hook_point_with_its_attached_hooks()
    {
        var host = await MagicModels.HostWithModel();
        var model = host.Variable<HookedTransformer>("model");
        using var hook = model.Hooks(("blocks.1.hook_resid_pre", (_, _) => null));
        await host.Run("#!hooks list");

        var table = host.Single<DataFrameView>();
        Assert.Equal(model.HookNames.Count, table.RowCount);
        Assert.Equal(model.HookNames, table.Rows.Select(r => r[0]!));
        Assert.Equal("1", Assert.Single(table.Rows, r => r[0] == "blocks.1.hook_resid_pre")[2]);
        Assert.Equal("0", Assert.Single(table.Rows, r => r[0] == "blocks.0.hook_resid_pre")[2]);
        Assert.Contains("1 hook function(s) attached", host.OutText.ToString());
    }

    [Fact]
    public async Task Hooks_clear_removes_hooks_that_a_cell_attached()
    {
        var host = await MagicModels.HostWithModel();
        var model = host.Variable<HookedTransformer>("model");
        model.Hooks(("blocks.0.hook_mlp_out", (_, _) => null), ("hook_embed", (_, _) => null));
        await host.Run("#!hooks clear");

        Assert.All(model.HookNames, n => Assert.False(model.GetHookPoint(n).HasHooks));
        Assert.Contains("Removed 2 hook function(s) from 2 hook point(s), 0 of them steering.", host.OutText.ToString());
    }

    [Fact]
    public async Task Hooks_with_an_unknown_action_lists_the_ones_there_are()
    {
        var host = await MagicModels.HostWithModel();
        var error = await host.Fails("#!hooks show");
        Assert.Contains("show", error.Message);
        Assert.Contains("list", error.Message);
        Assert.Contains("clear", error.Message);
    }
}
