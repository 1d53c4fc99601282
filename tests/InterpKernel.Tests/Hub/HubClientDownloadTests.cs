using InterpKernel.Hub;
using Xunit;

namespace InterpKernel.Tests.Hub;

public sealed class HubClientDownloadTests : IDisposable
{
    private readonly HubTestCache _cache = new();

    public void Dispose() => _cache.Dispose();

    [Fact]
    public async Task A_git_file_lands_in_the_snapshot_as_a_relative_link_to_its_blob_and_the_ref_names_the_commit()
    {
        var repo = HubTestCache.ShippedRepo();
        await using var server = new FakeHubServer(repo);
        using var hub = new HubClient(_cache.Options(server));

        var path = await hub.DownloadFileAsync(HubTestCache.RepoId, "config.json");

        Assert.Equal(Path.Combine(_cache.Storage, "snapshots", repo.Commit, "config.json"), path);
        Assert.Equal(HubTestCache.Shipped("config.json"), await File.ReadAllBytesAsync(path));
        var gitSha = FakeRepo.GitSha(HubTestCache.Shipped("config.json"));
        Assert.Equal(Path.Combine("..", "..", "blobs", gitSha), new FileInfo(path).LinkTarget);
        Assert.True(File.Exists(Path.Combine(_cache.Storage, "blobs", gitSha)));
        Assert.Equal(repo.Commit, await File.ReadAllTextAsync(Path.Combine(_cache.Storage, "refs", "main")));
    }

    [Fact]
    public async Task An_lfs_file_follows_a_relative_redirect_and_is_stored_under_its_sha256()
    {
        var repo = HubTestCache.ShippedRepo();
        await using var server = new FakeHubServer(repo);
        using var hub = new HubClient(_cache.Options(server));

        var path = await hub.DownloadFileAsync(HubTestCache.RepoId, "model.safetensors");

        var expected = HubTestCache.Shipped("model.safetensors");
        var sha = FakeRepo.Sha256(expected);
        Assert.Equal(expected, await File.ReadAllBytesAsync(path));
        Assert.Equal(Path.Combine("..", "..", "blobs", sha), new FileInfo(path).LinkTarget);
        Assert.Equal(
            ["HEAD /kjv/gpt2-2l/resolve/main/model.safetensors", $"HEAD /blobs/{sha}", $"GET /blobs/{sha}"],
            server.Requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.DoesNotContain(_cache.AllFiles(), f => f.EndsWith(".incomplete", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_token_goes_to_the_hub_but_not_to_another_host_that_serves_the_blob()
    {
        var repo = HubTestCache.ShippedRepo();
        await using var blobs = new FakeHubServer(repo);
        await using var server = new FakeHubServer(repo) { RequiredToken = "hf_secret", BlobHost = blobs.BaseUri };
        using var handler = new SocketsHttpHandler { AllowAutoRedirect = false };
        using var hub = new HubClient(_cache.Options(server) with { Token = "hf_secret", Handler = handler });

        var path = await hub.DownloadFileAsync(HubTestCache.RepoId, "model.safetensors");

        Assert.Equal(HubTestCache.Shipped("model.safetensors"), await File.ReadAllBytesAsync(path));
        Assert.All(server.Requests, r => Assert.Equal("Bearer hf_secret", r.Header("Authorization")));
        Assert.Equal(["GET"], blobs.Requests.Select(r => r.Method));
        Assert.All(blobs.Requests, r => Assert.Null(r.Header("Authorization")));
    }

    [Fact]
    public async Task A_second_call_is_served_from_the_cache_without_any_request()
    {
        await using var server = new FakeHubServer(HubTestCache.ShippedRepo());
        using var hub = new HubClient(_cache.Options(server));
        var first = await hub.DownloadFileAsync(HubTestCache.RepoId, "model.safetensors");
        var requests = server.Requests.Count;

        var second = await hub.DownloadFileAsync(HubTestCache.RepoId, "model.safetensors");

        Assert.Equal(first, second);
        Assert.Equal(requests, server.Requests.Count);
    }

    [Fact]
    public async Task A_commit_hash_revision_uses_the_same_snapshot_and_writes_no_ref()
    {
        var repo = HubTestCache.ShippedRepo();
        await using var server = new FakeHubServer(repo);
        using var hub = new HubClient(_cache.Options(server));

        var path = await hub.DownloadFileAsync(HubTestCache.RepoId, "vocab.json", repo.Commit);

        Assert.Equal(Path.Combine(_cache.Storage, "snapshots", repo.Commit, "vocab.json"), path);
        Assert.False(Directory.Exists(Path.Combine(_cache.Storage, "refs")));
        Assert.Equal(HubTestCache.Shipped("vocab.json"), await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task Files_already_cached_by_python_tools_are_returned_without_a_request()
    {
        var repo = HubTestCache.ShippedRepo();
        await using var server = new FakeHubServer(repo);
        var snapshot = Path.Combine(_cache.Storage, "snapshots", repo.Commit);
        Directory.CreateDirectory(snapshot);
        Directory.CreateDirectory(Path.Combine(_cache.Storage, "refs"));
        await File.WriteAllTextAsync(Path.Combine(_cache.Storage, "refs", "main"), repo.Commit + "\n");
        await File.WriteAllTextAsync(Path.Combine(snapshot, "config.json"), "{\"from\": \"python\"}");
        using var hub = new HubClient(_cache.Options(server));

        var path = await hub.DownloadFileAsync(HubTestCache.RepoId, "config.json");

        Assert.Equal("{\"from\": \"python\"}", await File.ReadAllTextAsync(path));
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Checking_for_updates_asks_the_hub_again_and_moves_the_ref_to_the_new_commit()
    {
        var repo = HubTestCache.ShippedRepo();
        await using var server = new FakeHubServer(repo);
        using var hub = new HubClient(_cache.Options(server) with { CheckForUpdates = true });
        await hub.DownloadFileAsync(HubTestCache.RepoId, "config.json");
        var newer = new FakeRepo(HubTestCache.RepoId + "-v2", repo.Files, repo.LfsFiles);
        repo.Branches["main"] = newer.Commit;
        var before = server.Requests.Count;

        var path = await hub.DownloadFileAsync(HubTestCache.RepoId, "config.json");

        Assert.Equal(Path.Combine(_cache.Storage, "snapshots", newer.Commit, "config.json"), path);
        Assert.Equal(newer.Commit, await File.ReadAllTextAsync(Path.Combine(_cache.Storage, "refs", "main")));
        Assert.Equal(before + 1, server.Requests.Count);
    }

    [Fact]
    public async Task Progress_reports_start_at_zero_and_end_at_the_full_size()
    {
        await using var server = new FakeHubServer(HubTestCache.ShippedRepo());
        var reports = new List<DownloadProgress>();
        using var hub = new HubClient(_cache.Options(server) with { Progress = new SyncProgress(reports) });

        await hub.DownloadFileAsync(HubTestCache.RepoId, "model.safetensors");

        var size = HubTestCache.Shipped("model.safetensors").LongLength;
        Assert.Equal(new DownloadProgress(HubTestCache.RepoId, "model.safetensors", 0, size), reports[0]);
        Assert.Equal(new DownloadProgress(HubTestCache.RepoId, "model.safetensors", size, size), reports[^1]);
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.First.BytesDone <= p.Second.BytesDone));
    }

    [Fact]
    public async Task A_missing_token_gets_an_unauthorized_error_that_says_to_set_HF_TOKEN()
    {
        await using var server = new FakeHubServer(HubTestCache.ShippedRepo()) { RequiredToken = "hf_secret" };
        using var hub = new HubClient(_cache.Options(server));

        var error = await Assert.ThrowsAsync<HubException>(() => hub.DownloadFileAsync(HubTestCache.RepoId, "config.json"));

        Assert.Equal(HubErrorKind.Unauthorized, error.Kind);
        Assert.Contains("401", error.Message);
        Assert.Contains("no token was sent", error.Message);
        Assert.Contains("Set HF_TOKEN", error.Message);
        Assert.Contains(HubTestCache.RepoId, error.Message);
        Assert.Contains(Path.Combine(_cache.Storage, "snapshots", "main"), error.Message);
        Assert.Equal(["config.json"], error.MissingFiles);
    }

    [Fact]
    public async Task A_wrong_token_gets_an_unauthorized_error_that_says_the_token_was_refused()
    {
        await using var server = new FakeHubServer(HubTestCache.ShippedRepo()) { RequiredToken = "hf_secret" };
        using var hub = new HubClient(_cache.Options(server) with { Token = "hf_wrong" });

        var error = await Assert.ThrowsAsync<HubException>(() => hub.DownloadFileAsync(HubTestCache.RepoId, "config.json"));

        Assert.Equal(HubErrorKind.Unauthorized, error.Kind);
        Assert.Contains("the token that was sent was refused", error.Message);
        Assert.Contains("HF_TOKEN", error.Message);
        Assert.Equal("Bearer hf_wrong", Assert.Single(server.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task An_unknown_file_is_not_found_and_the_absence_is_remembered()
    {
        var repo = HubTestCache.ShippedRepo();
        await using var server = new FakeHubServer(repo);
        using var hub = new HubClient(_cache.Options(server));

        var error = await Assert.ThrowsAsync<HubException>(() => hub.DownloadFileAsync(HubTestCache.RepoId, "tokenizer.json"));
        var again = await Assert.ThrowsAsync<HubException>(() => hub.DownloadFileAsync(HubTestCache.RepoId, "tokenizer.json"));

        Assert.Equal(HubErrorKind.NotFound, error.Kind);
        Assert.Contains("tokenizer.json does not exist in kjv/gpt2-2l", error.Message);
        Assert.Equal(Path.Combine(_cache.Storage, "snapshots", repo.Commit), error.SnapshotFolder);
        Assert.Equal(error.Message, again.Message);
        Assert.Single(server.Requests);
        Assert.True(File.Exists(Path.Combine(_cache.Storage, ".no_exist", repo.Commit, "tokenizer.json")));
    }

    [Fact]
    public async Task An_unknown_repo_is_not_found_with_a_message_about_the_repo()
    {
        await using var server = new FakeHubServer(HubTestCache.ShippedRepo());
        using var hub = new HubClient(_cache.Options(server));

        var error = await Assert.ThrowsAsync<HubException>(() => hub.DownloadFileAsync("nobody/nothing", "config.json"));

        Assert.Equal(HubErrorKind.NotFound, error.Kind);
        Assert.Contains("Repository nobody/nothing was not found", error.Message);
        Assert.False(Directory.Exists(Path.Combine(_cache.Dir, "models--nobody--nothing", "snapshots")));
    }

    [Fact]
    public async Task An_unknown_revision_is_not_found_with_a_message_about_the_revision()
    {
        await using var server = new FakeHubServer(HubTestCache.ShippedRepo());
        using var hub = new HubClient(_cache.Options(server));

        var error = await Assert.ThrowsAsync<HubException>(() => hub.DownloadFileAsync(HubTestCache.RepoId, "config.json", "v9.9"));

        Assert.Equal(HubErrorKind.NotFound, error.Kind);
        Assert.Contains("Revision 'v9.9' does not exist in kjv/gpt2-2l", error.Message);
    }

    [Fact]
    public async Task A_hash_that_does_not_match_the_announced_sha256_is_rejected_and_nothing_reaches_the_snapshot()
    {
        var lie = new string('a', 64);
        await using var server = new FakeHubServer(HubTestCache.ShippedRepo()) { LiedSha256 = lie };
        using var hub = new HubClient(_cache.Options(server));

        var error = await Assert.ThrowsAsync<HubException>(() => hub.DownloadFileAsync(HubTestCache.RepoId, "model.safetensors"));

        Assert.Equal(HubErrorKind.Integrity, error.Kind);
        Assert.Contains($"has SHA-256 {FakeRepo.Sha256(HubTestCache.Shipped("model.safetensors"))} but the hub announced {lie}", error.Message);
        Assert.DoesNotContain(_cache.AllFiles(), f => f.Contains("/snapshots/", StringComparison.Ordinal) || f.Contains("/blobs/", StringComparison.Ordinal));
    }

    [Fact]
    public void A_handler_that_follows_redirects_itself_is_refused_with_what_to_change()
    {
        using var handler = new SocketsHttpHandler();

        var error = Assert.Throws<ArgumentException>(() => new HubClient(_cache.Options("http://127.0.0.1:1") with { Handler = handler }));

        Assert.Contains("AllowAutoRedirect = false", error.Message);
        Assert.Equal("options", error.ParamName);
    }

    [Fact]
    public async Task A_blob_host_that_lacks_the_announced_file_gives_an_error_naming_the_address_and_the_folder()
    {
        var repo = HubTestCache.ShippedRepo();
        await using var emptyBlobs = new FakeHubServer();
        await using var server = new FakeHubServer(repo) { BlobHost = emptyBlobs.BaseUri };
        using var hub = new HubClient(_cache.Options(server));

        var error = await Assert.ThrowsAsync<HubException>(() => hub.DownloadFileAsync(HubTestCache.RepoId, "model.safetensors"));

        Assert.Equal(HubErrorKind.Protocol, error.Kind);
        Assert.Contains($"fetching its bytes from {emptyBlobs.BaseUri}blobs/{FakeRepo.Sha256(HubTestCache.Shipped("model.safetensors"))} answered 404", error.Message);
        Assert.Equal(Path.Combine(_cache.Storage, "snapshots", repo.Commit), error.SnapshotFolder);
    }
}

/// <summary>Collects reports on the calling thread (Progress&lt;T&gt; would post them to the thread pool).</summary>
internal sealed class SyncProgress(List<DownloadProgress> reports) : IProgress<DownloadProgress>
{
    public void Report(DownloadProgress value)
    {
        lock (reports) reports.Add(value);
    }
}
