using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Hub;

public sealed class HubModelLoadingTests : IDisposable
{
    private readonly HubTestCache _cache = new();

    public void Dispose() => _cache.Dispose();

    [Fact]
    public async Task A_model_downloaded_from_the_hub_loads_and_matches_the_local_folder()
    {
        await using var server = new FakeHubServer(HubTestCache.ShippedRepo());
        string folder = HookedTransformer.DownloadFromHub(HubTestCache.RepoId, "main", _cache.Options(server));
        Assert.StartsWith(_cache.Dir, folder);

        using var fromHub = HookedTransformer.FromPretrained(folder);
        using var local = HookedTransformer.FromPretrained(TestPaths.Models("kjv-gpt2-2l"));
        using var tokens = local.ToTokens("And God said");
        using var a = fromHub.Forward(tokens);
        using var b = local.Forward(tokens);
        Assert.Equal(0f, (a - b).abs().max().item<float>());
        Assert.Equal(local.ToStrTokens("And God said"), fromHub.ToStrTokens("And God said"));
    }

    [Fact]
    public void Something_that_is_neither_a_folder_nor_a_hub_id_gets_a_clear_error()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => HookedTransformer.FromPretrained("no such/folder/../x"));
        Assert.Contains("neither a model folder nor a Hugging Face model id", e.Message);
    }
}
