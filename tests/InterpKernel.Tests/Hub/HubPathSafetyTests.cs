using InterpKernel.Hub;
using Xunit;

namespace InterpKernel.Tests.Hub;

public sealed class HubPathSafetyTests : IDisposable
{
    private readonly HubTestCache _cache = new();

    public void Dispose() => _cache.Dispose();

    [Theory]
    [InlineData("../secret.txt", "'..'")]
    [InlineData("a/../../../secret.txt", "'..'")]
    [InlineData("./config.json", "'.'")]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("..\\secret.txt", "backslash")]
    [InlineData("sub\\config.json", "backslash")]
    [InlineData("a//config.json", "empty segment")]
    [InlineData("folder/", "empty segment")]
    [InlineData("", "empty")]
    [InlineData("C:/Windows/win.ini", "':'")]
    public async Task A_file_name_that_could_leave_the_cache_is_rejected_before_any_request(string fileName, string reason)
    {
        await using var server = new FakeHubServer(HubTestCache.ShippedRepo());
        using var hub = new HubClient(_cache.Options(server));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => hub.DownloadFileAsync(HubTestCache.RepoId, fileName));

        Assert.Equal("fileName", error.ParamName);
        Assert.Contains(reason, error.Message);
        Assert.Empty(server.Requests);
        Assert.Empty(_cache.AllFiles());
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("org/..")]
    [InlineData("org/name/extra")]
    [InlineData("/absolute")]
    [InlineData("org\\name")]
    [InlineData("org//name")]
    [InlineData("org--name")]
    [InlineData(".hidden")]
    [InlineData("name.git")]
    [InlineData("")]
    public async Task A_repo_id_that_could_leave_the_cache_is_rejected_before_any_request(string repoId)
    {
        await using var server = new FakeHubServer(HubTestCache.ShippedRepo());
        using var hub = new HubClient(_cache.Options(server));

        var file = await Assert.ThrowsAsync<ArgumentException>(() => hub.DownloadFileAsync(repoId, "config.json"));
        var model = await Assert.ThrowsAsync<ArgumentException>(() => hub.DownloadModelAsync(repoId));

        Assert.Equal("repoId", file.ParamName);
        Assert.Equal("repoId", model.ParamName);
        Assert.StartsWith("Cannot use repo id:", file.Message);
        Assert.Empty(server.Requests);
        Assert.Empty(_cache.AllFiles());
    }

    [Theory]
    [InlineData("../../../outside")]
    [InlineData("/main")]
    [InlineData("refs\\pr\\1")]
    [InlineData("refs//1")]
    [InlineData("")]
    public async Task A_revision_that_could_leave_the_cache_is_rejected_before_any_request(string revision)
    {
        await using var server = new FakeHubServer(HubTestCache.ShippedRepo());
        using var hub = new HubClient(_cache.Options(server));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => hub.DownloadFileAsync(HubTestCache.RepoId, "config.json", revision));

        Assert.Equal("revision", error.ParamName);
        Assert.Empty(server.Requests);
        Assert.Empty(_cache.AllFiles());
    }

    [Fact]
    public void A_combined_path_that_resolves_outside_the_cache_is_refused_as_a_last_check()
    {
        var root = Path.Combine(_cache.Root, "hub");

        var error = Assert.Throws<ArgumentException>(() => HubNames.Inside(root, "models--a", "snapshots", "../../../x"));

        Assert.Contains("outside the cache folder", error.Message);
        Assert.Equal(Path.Combine(root, "models--a", "snapshots", "c", "f"), HubNames.Inside(root, "models--a", "snapshots", "c", "f"));
    }

    [Fact]
    public async Task A_server_commit_hash_that_is_not_a_plain_name_is_refused()
    {
        var repo = HubTestCache.ShippedRepo();
        repo.Branches["evil"] = "../../../outside";
        await using var server = new FakeHubServer(repo);
        using var hub = new HubClient(_cache.Options(server));

        var error = await Assert.ThrowsAsync<HubException>(() => hub.DownloadFileAsync(HubTestCache.RepoId, "config.json", "evil"));

        Assert.Equal(HubErrorKind.Protocol, error.Kind);
        Assert.Contains("an unusable commit '../../../outside'", error.Message);
        Assert.DoesNotContain(_cache.AllFiles(), f => f.Contains("outside", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("gpt2", true)]
    [InlineData("EleutherAI/pythia-70m", true)]
    [InlineData("Qwen/Qwen2.5-0.5B", true)]
    [InlineData("org/name/extra", false)]
    [InlineData("../gpt2", false)]
    [InlineData("C:\\models\\gpt2", false)]
    [InlineData("", false)]
    [InlineData("a--b", false)]
    public void Looks_like_repo_id_accepts_hub_ids_and_refuses_other_shapes(string text, bool expected) =>
        Assert.Equal(expected, HubClient.LooksLikeRepoId(text));

    [Fact]
    public void Looks_like_repo_id_is_false_for_an_existing_local_folder_even_with_a_repo_id_shape()
    {
        var previous = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = TestPaths.RepoRoot;
            Assert.True(Directory.Exists("models/kjv-gpt2-2l"));
            Assert.False(HubClient.LooksLikeRepoId("models/kjv-gpt2-2l"));
            Assert.True(HubClient.LooksLikeRepoId("models/kjv-gpt2-9l"));
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }
}
