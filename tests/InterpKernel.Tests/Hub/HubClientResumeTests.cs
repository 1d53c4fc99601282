using InterpKernel.Hub;
using Xunit;

namespace InterpKernel.Tests.Hub;

public sealed class HubClientResumeTests : IDisposable
{
    private readonly HubTestCache _cache = new();

    public void Dispose() => _cache.Dispose();

    private string Incomplete(byte[] data) => Path.Combine(_cache.Storage, "blobs", FakeRepo.Sha256(data) + ".incomplete");

    [Fact]
    public async Task A_dropped_connection_leaves_a_partial_file_that_the_next_call_resumes_with_a_range_request()
    {
        var expected = HubTestCache.Shipped("model.safetensors");
        await using var server = new FakeHubServer(HubTestCache.ShippedRepo()) { DropAfterBytes = 1_000_000, DropCount = 1 };
        using var hub = new HubClient(_cache.Options(server) with { ResumeAttempts = 0 });

        var error = await Assert.ThrowsAsync<HubException>(() => hub.DownloadFileAsync(HubTestCache.RepoId, "model.safetensors"));

        Assert.Equal(HubErrorKind.Interrupted, error.Kind);
        Assert.Contains($"broke off after 1,000,000 of {expected.Length:N0} bytes", error.Message);
        Assert.Contains(Incomplete(expected), error.Message);
        Assert.Equal(1_000_000, new FileInfo(Incomplete(expected)).Length);
        Assert.DoesNotContain(_cache.AllFiles(), f => f.Contains("/snapshots/", StringComparison.Ordinal));

        var path = await hub.DownloadFileAsync(HubTestCache.RepoId, "model.safetensors");

        var gets = server.Requests.Where(r => r.Method == "GET").ToList();
        Assert.Equal(2, gets.Count);
        Assert.Null(gets[0].Header("Range"));
        Assert.Equal("bytes=1000000-", gets[1].Header("Range"));
        Assert.Equal(expected, await File.ReadAllBytesAsync(path));
        Assert.False(File.Exists(Incomplete(expected)));
    }

    [Fact]
    public async Task A_dropped_connection_resumes_by_itself_while_attempts_remain()
    {
        var expected = HubTestCache.Shipped("model.safetensors");
        await using var server = new FakeHubServer(HubTestCache.ShippedRepo()) { DropAfterBytes = 3_000_000, DropCount = 2 };
        using var hub = new HubClient(_cache.Options(server) with { ResumeAttempts = 2 });

        var path = await hub.DownloadFileAsync(HubTestCache.RepoId, "model.safetensors");

        Assert.Equal(expected, await File.ReadAllBytesAsync(path));
        Assert.Equal([null, "bytes=3000000-", "bytes=6000000-"], server.Requests.Where(r => r.Method == "GET").Select(r => r.Header("Range")));
    }

    [Fact]
    public async Task A_server_that_ignores_range_sends_the_whole_file_which_replaces_the_partial_one()
    {
        var expected = HubTestCache.Shipped("model.safetensors");
        await using var server = new FakeHubServer(HubTestCache.ShippedRepo()) { IgnoreRange = true };
        Directory.CreateDirectory(Path.GetDirectoryName(Incomplete(expected))!);
        await File.WriteAllBytesAsync(Incomplete(expected), new byte[5000]);
        using var hub = new HubClient(_cache.Options(server));

        var path = await hub.DownloadFileAsync(HubTestCache.RepoId, "model.safetensors");

        Assert.Equal("bytes=5000-", server.Requests.Single(r => r.Method == "GET").Header("Range"));
        Assert.Equal(expected, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task A_partial_file_with_wrong_bytes_fails_the_hash_check_and_is_deleted()
    {
        var expected = HubTestCache.Shipped("model.safetensors");
        await using var server = new FakeHubServer(HubTestCache.ShippedRepo());
        Directory.CreateDirectory(Path.GetDirectoryName(Incomplete(expected))!);
        await File.WriteAllBytesAsync(Incomplete(expected), new byte[5000]);
        using var hub = new HubClient(_cache.Options(server));

        var error = await Assert.ThrowsAsync<HubException>(() => hub.DownloadFileAsync(HubTestCache.RepoId, "model.safetensors"));
        var path = await hub.DownloadFileAsync(HubTestCache.RepoId, "model.safetensors");

        Assert.Equal(HubErrorKind.Integrity, error.Kind);
        Assert.Equal(expected, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task A_partial_file_longer_than_the_announced_size_is_discarded_and_downloaded_again()
    {
        var expected = HubTestCache.Shipped("model.safetensors");
        await using var server = new FakeHubServer(HubTestCache.ShippedRepo());
        Directory.CreateDirectory(Path.GetDirectoryName(Incomplete(expected))!);
        await File.WriteAllBytesAsync(Incomplete(expected), new byte[expected.Length + 10]);
        using var hub = new HubClient(_cache.Options(server));

        var path = await hub.DownloadFileAsync(HubTestCache.RepoId, "model.safetensors");

        Assert.Null(server.Requests.Single(r => r.Method == "GET").Header("Range"));
        Assert.Equal(expected, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task A_body_that_stops_arriving_times_out_and_the_partial_file_is_kept()
    {
        var expected = HubTestCache.Shipped("model.safetensors");
        await using var server = new FakeHubServer(HubTestCache.ShippedRepo()) { DropAfterBytes = 500_000, DropCount = 1, StallInsteadOfDrop = true };
        using var hub = new HubClient(_cache.Options(server) with { ResumeAttempts = 0, Timeout = TimeSpan.FromSeconds(1) });

        var error = await Assert.ThrowsAsync<HubException>(() => hub.DownloadFileAsync(HubTestCache.RepoId, "model.safetensors"));

        Assert.Equal(HubErrorKind.Interrupted, error.Kind);
        Assert.Contains("no data for 1 s", error.Message);
        Assert.Equal(500_000, new FileInfo(Incomplete(expected)).Length);
    }

    [Fact]
    public async Task Two_concurrent_calls_for_the_same_file_download_it_once()
    {
        var expected = HubTestCache.Shipped("model.safetensors");
        await using var server = new FakeHubServer(HubTestCache.ShippedRepo());
        using var hub = new HubClient(_cache.Options(server));

        var paths = await Task.WhenAll(
            hub.DownloadFileAsync(HubTestCache.RepoId, "model.safetensors"),
            hub.DownloadFileAsync(HubTestCache.RepoId, "model.safetensors"));

        Assert.Equal(paths[0], paths[1]);
        Assert.Equal(expected, await File.ReadAllBytesAsync(paths[0]));
        Assert.Single(server.Requests, r => r.Method == "GET");
    }
}
