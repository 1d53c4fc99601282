using System.Text;
using InterpKernel.Hub;
using Xunit;

namespace InterpKernel.Tests.Hub;

public sealed class HubClientModelTests : IDisposable
{
    private readonly HubTestCache _cache = new();

    public void Dispose() => _cache.Dispose();

    private static FakeRepo ShardedRepo(string indexJson)
    {
        var files = new Dictionary<string, byte[]>
        {
            ["config.json"] = HubTestCache.Shipped("config.json"),
            ["model.safetensors.index.json"] = Encoding.UTF8.GetBytes(indexJson),
            ["model-00001-of-00002.safetensors"] = Enumerable.Range(0, 70_000).Select(i => (byte)i).ToArray(),
            ["model-00002-of-00002.safetensors"] = Enumerable.Range(0, 50_000).Select(i => (byte)(i * 7)).ToArray(),
        };
        return new FakeRepo("org/sharded", files, ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]);
    }

    private const string TwoShards = """
        {"metadata": {"total_size": 120000}, "weight_map": {
          "wte.weight": "model-00001-of-00002.safetensors",
          "h.0.attn.c_attn.weight": "model-00001-of-00002.safetensors",
          "ln_f.weight": "model-00002-of-00002.safetensors"}}
        """;

    [Fact]
    public async Task A_model_download_fetches_config_weights_and_the_tokenizer_files_the_repo_has()
    {
        var repo = HubTestCache.ShippedRepo();
        await using var server = new FakeHubServer(repo);
        using var hub = new HubClient(_cache.Options(server));

        var folder = await hub.DownloadModelAsync(HubTestCache.RepoId);

        Assert.Equal(Path.Combine(_cache.Storage, "snapshots", repo.Commit), folder);
        Assert.Equal(["config.json", "merges.txt", "model.safetensors", "vocab.json"], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var file in repo.Files.Keys)
            Assert.Equal(repo.Files[file], await File.ReadAllBytesAsync(Path.Combine(folder, file)));
        Assert.Equal(["generation_config.json", "special_tokens_map.json", "tokenizer.json", "tokenizer.model", "tokenizer_config.json"],
            Directory.GetFiles(Path.Combine(_cache.Storage, ".no_exist", repo.Commit)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var resolves = server.Requests.Where(r => r.Path.Contains("/resolve/", StringComparison.Ordinal)).Select(r => r.Path).ToList();
        // config.json resolves the branch; everything after it is pinned to that commit.
        Assert.Equal("/kjv/gpt2-2l/resolve/main/config.json", resolves[0]);
        Assert.All(resolves.Skip(1), p => Assert.StartsWith($"/kjv/gpt2-2l/resolve/{repo.Commit}/", p));
    }

    [Fact]
    public async Task A_second_model_download_makes_no_request()
    {
        await using var server = new FakeHubServer(HubTestCache.ShippedRepo());
        using var hub = new HubClient(_cache.Options(server));
        var first = await hub.DownloadModelAsync(HubTestCache.RepoId);
        var requests = server.Requests.Count;

        var second = await hub.DownloadModelAsync(HubTestCache.RepoId);

        Assert.Equal(first, second);
        Assert.Equal(requests, server.Requests.Count);
    }

    [Fact]
    public async Task A_cached_model_without_a_record_of_the_optional_files_asks_only_for_those()
    {
        var repo = HubTestCache.ShippedRepo();
        await using var server = new FakeHubServer(repo);
        using var hub = new HubClient(_cache.Options(server));
        await hub.DownloadFileAsync(HubTestCache.RepoId, "config.json");
        await hub.DownloadFileAsync(HubTestCache.RepoId, "model.safetensors");
        var before = server.Requests.Count;

        await hub.DownloadModelAsync(HubTestCache.RepoId);

        var asked = server.Requests.Skip(before).Select(r => r.Path[(r.Path.LastIndexOf('/') + 1)..]).ToList();
        Assert.DoesNotContain("config.json", asked);
        Assert.DoesNotContain("model.safetensors", asked);
        Assert.Contains("vocab.json", asked);
        Assert.Contains("tokenizer.json", asked);
    }

    [Fact]
    public async Task A_sharded_checkpoint_downloads_the_index_and_every_shard_it_names()
    {
        var repo = ShardedRepo(TwoShards);
        await using var server = new FakeHubServer(repo);
        using var hub = new HubClient(_cache.Options(server));

        var folder = await hub.DownloadModelAsync("org/sharded");

        Assert.Equal(Path.Combine(_cache.Dir, "models--org--sharded", "snapshots", repo.Commit), folder);
        foreach (var file in repo.Files.Keys)
            Assert.Equal(repo.Files[file], await File.ReadAllBytesAsync(Path.Combine(folder, file)));
        Assert.False(File.Exists(Path.Combine(folder, "model.safetensors")));
    }

    [Fact]
    public async Task An_index_that_names_a_shard_outside_the_repo_is_rejected_and_nothing_is_written_there()
    {
        var repo = ShardedRepo("""{"weight_map": {"wte.weight": "../../../../escape.safetensors"}}""");
        await using var server = new FakeHubServer(repo);
        using var hub = new HubClient(_cache.Options(server));

        var error = await Assert.ThrowsAsync<HubException>(() => hub.DownloadModelAsync("org/sharded"));

        Assert.Equal(HubErrorKind.Protocol, error.Kind);
        Assert.Contains("maps tensor 'wte.weight' to an unusable shard", error.Message);
        Assert.Contains("'..'", error.Message);
        Assert.DoesNotContain(_cache.AllFiles(), f => f.Contains("escape", StringComparison.Ordinal));
        Assert.DoesNotContain(server.Requests, r => r.Path.Contains("escape", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_repo_without_safetensors_weights_says_that_only_safetensors_load()
    {
        var repo = new FakeRepo("org/bin-only", new Dictionary<string, byte[]>
        {
            ["config.json"] = HubTestCache.Shipped("config.json"),
            ["pytorch_model.bin"] = [1, 2, 3],
        }, []);
        await using var server = new FakeHubServer(repo);
        using var hub = new HubClient(_cache.Options(server));

        var error = await Assert.ThrowsAsync<HubException>(() => hub.DownloadModelAsync("org/bin-only"));

        Assert.Equal(HubErrorKind.NotFound, error.Kind);
        Assert.Contains("has neither model.safetensors nor model.safetensors.index.json; only safetensors checkpoints can be loaded", error.Message);
    }

    [Fact]
    public async Task An_offline_model_that_is_not_cached_lists_every_missing_file_and_the_folder()
    {
        using var hub = new HubClient(_cache.Options(HubTestCache.DeadEndpoint()) with { Offline = true });

        var error = await Assert.ThrowsAsync<HubException>(() => hub.DownloadModelAsync("EleutherAI/pythia-70m", revision: "main"));

        var folder = Path.Combine(_cache.Dir, "models--EleutherAI--pythia-70m", "snapshots", "main");
        Assert.Equal(HubErrorKind.Offline, error.Kind);
        Assert.Equal(["config.json", "model.safetensors (or model.safetensors.index.json and the shards it names)"], error.MissingFiles);
        Assert.Contains("EleutherAI/pythia-70m (revision main) is not complete in the cache and offline mode is on", error.Message);
        Assert.Contains($"Missing: config.json, model.safetensors (or model.safetensors.index.json and the shards it names). Put them into {folder}", error.Message);
    }

    [Fact]
    public async Task An_offline_model_with_only_its_config_cached_lists_just_the_weights()
    {
        var repo = HubTestCache.ShippedRepo();
        await using var server = new FakeHubServer(repo);
        using (var online = new HubClient(_cache.Options(server)))
            await online.DownloadFileAsync(HubTestCache.RepoId, "config.json");
        using var hub = new HubClient(_cache.Options(server) with { Offline = true });

        var error = await Assert.ThrowsAsync<HubException>(() => hub.DownloadModelAsync(HubTestCache.RepoId));

        Assert.Equal(["model.safetensors (or model.safetensors.index.json and the shards it names)"], error.MissingFiles);
        Assert.Equal(Path.Combine(_cache.Storage, "snapshots", repo.Commit), error.SnapshotFolder);
    }

    [Fact]
    public async Task An_offline_model_download_returns_a_complete_cached_snapshot()
    {
        var repo = HubTestCache.ShippedRepo();
        await using var server = new FakeHubServer(repo);
        using (var online = new HubClient(_cache.Options(server)))
            await online.DownloadModelAsync(HubTestCache.RepoId);
        var requests = server.Requests.Count;
        using var hub = new HubClient(_cache.Options(server) with { Offline = true });

        var folder = await hub.DownloadModelAsync(HubTestCache.RepoId);

        Assert.Equal(Path.Combine(_cache.Storage, "snapshots", repo.Commit), folder);
        Assert.Equal(requests, server.Requests.Count);
    }
}
