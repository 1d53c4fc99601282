using InterpKernel.Hub;
using Xunit;

namespace InterpKernel.Tests.Hub;

public sealed class HubClientOfflineTests : IDisposable
{
    private readonly HubTestCache _cache = new();

    public void Dispose() => _cache.Dispose();

    [Fact]
    public async Task Offline_mode_returns_a_cached_file_without_any_request()
    {
        var repo = HubTestCache.ShippedRepo();
        await using var server = new FakeHubServer(repo);
        using (var online = new HubClient(_cache.Options(server)))
            await online.DownloadFileAsync(HubTestCache.RepoId, "config.json");
        var requests = server.Requests.Count;
        using var offline = new HubClient(_cache.Options(server) with { Offline = true, CheckForUpdates = true });

        var path = await offline.DownloadFileAsync(HubTestCache.RepoId, "config.json");

        Assert.Equal(Path.Combine(_cache.Storage, "snapshots", repo.Commit, "config.json"), path);
        Assert.Equal(requests, server.Requests.Count);
    }

    [Fact]
    public async Task Offline_mode_without_the_file_names_the_file_the_repo_and_the_folder_to_put_it_in()
    {
        await using var server = new FakeHubServer(HubTestCache.ShippedRepo());
        using var hub = new HubClient(_cache.Options(server) with { Offline = true });

        var error = await Assert.ThrowsAsync<HubException>(() => hub.DownloadFileAsync(HubTestCache.RepoId, "config.json"));

        var folder = Path.Combine(_cache.Storage, "snapshots", "main");
        Assert.Equal(HubErrorKind.Offline, error.Kind);
        Assert.Equal(folder, error.SnapshotFolder);
        Assert.Equal(["config.json"], error.MissingFiles);
        Assert.StartsWith($"config.json of kjv/gpt2-2l (revision main) is not in the cache and offline mode is on (HF_HUB_OFFLINE or HubOptions.Offline). Put config.json into {folder}", error.Message);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Offline_mode_with_a_known_commit_points_at_that_commit_folder()
    {
        var repo = HubTestCache.ShippedRepo();
        await using var server = new FakeHubServer(repo);
        using (var online = new HubClient(_cache.Options(server)))
            await online.DownloadFileAsync(HubTestCache.RepoId, "config.json");
        using var hub = new HubClient(_cache.Options(server) with { Offline = true });

        var error = await Assert.ThrowsAsync<HubException>(() => hub.DownloadFileAsync(HubTestCache.RepoId, "vocab.json"));

        Assert.Contains($"Put vocab.json into {Path.Combine(_cache.Storage, "snapshots", repo.Commit)}, or run once with network access.", error.Message);
    }

    [Fact]
    public async Task Files_put_by_hand_into_the_folder_the_message_names_are_found_offline()
    {
        using var hub = new HubClient(_cache.Options(HubTestCache.DeadEndpoint()) with { Offline = true });
        var error = await Assert.ThrowsAsync<HubException>(() => hub.DownloadModelAsync(HubTestCache.RepoId));
        Directory.CreateDirectory(error.SnapshotFolder!);
        foreach (var file in Directory.GetFiles(TestPaths.Models("kjv-gpt2-2l")))
            File.Copy(file, Path.Combine(error.SnapshotFolder!, Path.GetFileName(file)));

        var folder = await hub.DownloadModelAsync(HubTestCache.RepoId);

        Assert.Equal(error.SnapshotFolder, folder);
        Assert.Equal(HubTestCache.Shipped("config.json"), await File.ReadAllBytesAsync(Path.Combine(folder, "config.json")));
    }

    [Fact]
    public async Task An_unreachable_hub_falls_back_to_the_cached_file()
    {
        var repo = HubTestCache.ShippedRepo();
        await using (var server = new FakeHubServer(repo))
        {
            using var online = new HubClient(_cache.Options(server));
            await online.DownloadFileAsync(HubTestCache.RepoId, "merges.txt");
        }
        using var hub = new HubClient(_cache.Options(HubTestCache.DeadEndpoint()) with { CheckForUpdates = true });

        var path = await hub.DownloadFileAsync(HubTestCache.RepoId, "merges.txt");

        Assert.Equal(Path.Combine(_cache.Storage, "snapshots", repo.Commit, "merges.txt"), path);
    }

    [Fact]
    public async Task An_unreachable_hub_without_the_file_says_the_hub_could_not_be_reached_and_where_to_put_it()
    {
        var endpoint = HubTestCache.DeadEndpoint();
        using var hub = new HubClient(_cache.Options(endpoint));

        var error = await Assert.ThrowsAsync<HubException>(() => hub.DownloadFileAsync(HubTestCache.RepoId, "merges.txt"));

        Assert.Equal(HubErrorKind.Offline, error.Kind);
        Assert.Contains($"merges.txt of kjv/gpt2-2l (revision main) is not in the cache and the hub at {endpoint}/ could not be reached", error.Message);
        Assert.Contains($"Put merges.txt into {Path.Combine(_cache.Storage, "snapshots", "main")}", error.Message);
        Assert.NotNull(error.InnerException);
    }
}
