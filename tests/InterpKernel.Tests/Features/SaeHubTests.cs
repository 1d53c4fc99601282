using InterpKernel.Analysis;
using InterpKernel.Hub;
using InterpKernel.Tests.Hub;
using InterpKernel.Tests.Loading;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Features;

public sealed class SaeHubTests : IDisposable
{
    const string RepoId = "kjv/gpt2-2l-saes";
    readonly HubTestCache _cache = new();

    public void Dispose() => _cache.Dispose();

    static SparseAutoencoder RandomSae(string hook, int seed)
    {
        using var scope = NewDisposeScope();
        var gen = new Generator((ulong)seed);
        var config = new SaeConfig(SaeArchitecture.TopK, 128, 64, hook) { K = 4, ModelName = "kjv-gpt2-2l" };
        return SparseAutoencoder.FromWeights(config, randn([128, 64], generator: gen), randn([64], generator: gen),
            randn([64, 128], generator: gen), randn([128], generator: gen));
    }

    /// <summary>A repo laid out like a SAELens release: one folder per hook, plus one SAE at the top level.</summary>
    static FakeRepo Release(params (string Folder, SparseAutoencoder Sae)[] saes)
    {
        var files = new Dictionary<string, byte[]>();
        foreach (var (folder, sae) in saes)
        {
            using var temp = new TempFolder();
            sae.Save(temp.Path);
            string prefix = folder.Length == 0 ? "" : folder + "/";
            files[prefix + SparseAutoencoder.ConfigFileName] = File.ReadAllBytes(temp.File(SparseAutoencoder.ConfigFileName));
            files[prefix + SparseAutoencoder.WeightsFileName] = File.ReadAllBytes(temp.File(SparseAutoencoder.WeightsFileName));
        }
        return new FakeRepo(RepoId, files, files.Keys.Where(f => f.EndsWith(".safetensors", StringComparison.Ordinal)));
    }

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public async Task An_sae_in_a_folder_of_a_hub_repo_downloads_into_the_cache_and_loads()
    {
        using var layer0 = RandomSae("blocks.0.hook_resid_pre", seed: 1);
        using var layer1 = RandomSae("blocks.1.hook_resid_pre", seed: 2);
        var repo = Release(("blocks.0.hook_resid_pre", layer0), ("blocks.1.hook_resid_pre", layer1));
        await using var server = new FakeHubServer(repo);
        var options = _cache.Options(server);

        // SAELens lists its folders with a trailing slash; both spellings name the same SAE.
        using var loaded = SparseAutoencoder.Load(RepoId, "blocks.1.hook_resid_pre/", hubOptions: options);
        Assert.Equal(layer1.Config, loaded.Config);
        Assert.True(Same(layer1.WEnc, loaded.WEnc) && Same(layer1.WDec, loaded.WDec));
        Assert.True(Same(layer1.BEnc, loaded.BEnc) && Same(layer1.BDec, loaded.BDec));

        string snapshot = Path.Combine(_cache.Dir, "models--kjv--gpt2-2l-saes", "snapshots", repo.Commit, "blocks.1.hook_resid_pre");
        Assert.True(File.Exists(Path.Combine(snapshot, SparseAutoencoder.ConfigFileName)), $"no cfg.json in {snapshot}");
        Assert.True(File.Exists(Path.Combine(snapshot, SparseAutoencoder.WeightsFileName)), $"no weights in {snapshot}");
        Assert.False(Directory.Exists(Path.Combine(snapshot, "..", "blocks.0.hook_resid_pre")), "only the SAE asked for is downloaded");
        Assert.Equal(snapshot, SparseAutoencoder.DownloadFromHub(RepoId, "blocks.1.hook_resid_pre", options: options));

        // A second load finds both files in the cache and asks the hub nothing.
        int requests = server.Requests.Count;
        using var again = SparseAutoencoder.Load(RepoId, "blocks.1.hook_resid_pre", hubOptions: options);
        Assert.Equal(requests, server.Requests.Count);
        Assert.True(Same(loaded.WEnc, again.WEnc));

        using var first = SparseAutoencoder.Load(RepoId, "blocks.0.hook_resid_pre", hubOptions: options);
        Assert.Equal("blocks.0.hook_resid_pre", first.Config.HookName);
        Assert.True(Same(layer0.WEnc, first.WEnc));
    }

    [Fact]
    public async Task A_repo_id_alone_loads_the_sae_at_the_top_of_the_repo()
    {
        using var sae = RandomSae("blocks.1.hook_resid_post", seed: 3);
        await using var server = new FakeHubServer(Release(("", sae)));
        using var loaded = SparseAutoencoder.Load(RepoId, hubOptions: _cache.Options(server));
        Assert.Equal(sae.Config, loaded.Config);
        Assert.True(Same(sae.WDec, loaded.WDec));
    }

    [Fact]
    public async Task A_missing_or_malformed_sae_folder_gets_an_error_that_names_it()
    {
        using var sae = RandomSae("blocks.1.hook_resid_pre", seed: 4);
        await using var server = new FakeHubServer(Release(("blocks.1.hook_resid_pre", sae)));
        var options = _cache.Options(server);

        var missing = Assert.Throws<HubException>(() => SparseAutoencoder.Load(RepoId, "blocks.7.hook_resid_pre", hubOptions: options));
        Assert.Equal(HubErrorKind.NotFound, missing.Kind);
        Assert.Contains("blocks.7.hook_resid_pre/cfg.json", missing.Message);

        var escape = Assert.Throws<ArgumentException>(() => SparseAutoencoder.Load(RepoId, "../elsewhere", hubOptions: options));
        Assert.Contains("'../elsewhere'", escape.Message);
        Assert.Throws<ArgumentException>(() => SparseAutoencoder.Load("not a repo id!", "blocks.1.hook_resid_pre", hubOptions: options));

        // Offline, a cached SAE still loads and an uncached one says where to put the files.
        using (SparseAutoencoder.Load(RepoId, "blocks.1.hook_resid_pre", hubOptions: options)) { }
        var offline = options with { Offline = true };
        using (var cached = SparseAutoencoder.Load(RepoId, "blocks.1.hook_resid_pre", hubOptions: offline))
            Assert.True(Same(sae.WEnc, cached.WEnc));
        var notCached = Assert.Throws<HubException>(() => SparseAutoencoder.Load(RepoId, "blocks.0.hook_resid_pre", hubOptions: offline));
        Assert.Equal(HubErrorKind.Offline, notCached.Kind);
    }
}
