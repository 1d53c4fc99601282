using InterpKernel.Analysis;
using InterpKernel.Notebook.Views;

namespace InterpKernel.Notebook.Tests.Magics;

public sealed class SaeMagicTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"sae-{Guid.NewGuid():N}");

    public SaeMagicTests()
    {
        using var sae = SparseAutoencoder.Create(new SaeConfig(SaeArchitecture.Standard, 128, 256, "blocks.1.hook_resid_pre"), seed: 3);
        sae.Save(_folder);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Sae_load_binds_the_sae_and_shows_its_config()
    {
        var host = await MagicModels.HostWithModel();
        await host.Run($"#!sae load \"{_folder}\"");

        var sae = host.Variable<SparseAutoencoder>("sae");
        Assert.Equal(256, sae.Config.DSae);
        var table = host.Single<DataFrameView>();
        Assert.Equal("blocks.1.hook_resid_pre", Assert.Single(table.Rows, r => r[0] == "hook")[1]);
        Assert.Equal("no", Assert.Single(table.Rows, r => r[0] == "spliced")[1]);
    }

    [Fact]
    public async Task A_spliced_sae_shows_its_features_in_the_cache_until_removed()
    {
        var host = await MagicModels.HostWithModel();
        await host.Run($"#!sae load \"{_folder}\" --splice --error-term --name features");
        await host.Run("#!run \"And God said\"");
        Assert.Contains("blocks.1.hook_resid_pre.hook_sae_acts_post", host.Variable<ActivationCache>("cache").Keys);
        Assert.Equal(new long[] { 1, 4, 256 }, host.Variable<ActivationCache>("cache")["blocks.1.hook_resid_pre.hook_sae_acts_post"].shape);

        await host.Run("#!sae remove");
        Assert.Contains("Took the SAE at blocks.1.hook_resid_pre out of the model.", host.OutText.ToString());
        await host.Run("#!run \"And God said\"");
        Assert.DoesNotContain("blocks.1.hook_resid_pre.hook_sae_acts_post", host.Variable<ActivationCache>("cache").Keys);
    }

    [Fact]
    public async Task A_folder_without_an_sae_says_what_it_needs()
    {
        var host = await MagicModels.HostWithModel();
        var empty = Directory.CreateDirectory(Path.Combine(_folder, "empty")).FullName;
        var error = await host.Fails($"#!sae load \"{empty}\"");
        Assert.Contains("cfg.json", error.Message);
        Assert.Contains("Usage:", error.Message);
    }
}
