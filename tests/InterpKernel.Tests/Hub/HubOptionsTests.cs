using InterpKernel.Hub;
using Xunit;

namespace InterpKernel.Tests.Hub;

public sealed class HubOptionsTests : IDisposable
{
    private readonly HubTestCache _cache = new();

    public void Dispose() => _cache.Dispose();

    private static Func<string, string?> Vars(params (string Name, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Hf_hub_cache_wins_over_hf_home()
    {
        var options = HubOptions.FromVariables(Vars(("HF_HUB_CACHE", "/data/hub"), ("HF_HOME", "/data/hf"), ("HF_TOKEN", "t")));

        Assert.Equal("/data/hub", options.CacheDir);
    }

    [Fact]
    public void Hf_home_puts_the_cache_in_its_hub_folder_and_reads_its_token_file()
    {
        var home = Path.Combine(_cache.Root, "hf-home");
        Directory.CreateDirectory(home);
        File.WriteAllText(Path.Combine(home, "token"), "hf_from_file\n");

        var options = HubOptions.FromVariables(Vars(("HF_HOME", home)));

        Assert.Equal(Path.Combine(home, "hub"), options.CacheDir);
        Assert.Equal("hf_from_file", options.Token);
    }

    [Fact]
    public void Without_variables_the_cache_is_under_the_home_folder_and_the_endpoint_is_huggingface()
    {
        var options = HubOptions.FromVariables(Vars(("HF_TOKEN", "hf_env")));

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        Assert.Equal(Path.Combine(home, ".cache", "huggingface", "hub"), options.CacheDir);
        Assert.Equal("https://huggingface.co", options.Endpoint);
        Assert.Equal("hf_env", options.Token);
        Assert.False(options.Offline);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Timeout);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    public void Hf_hub_offline_switches_offline_mode(string value, bool expected) =>
        Assert.Equal(expected, HubOptions.FromVariables(Vars(("HF_HUB_OFFLINE", value), ("HF_TOKEN", "t"))).Offline);

    [Fact]
    public void Hf_endpoint_and_download_timeout_are_read()
    {
        var options = HubOptions.FromVariables(Vars(("HF_ENDPOINT", "https://hf-mirror.example/"), ("HF_HUB_DOWNLOAD_TIMEOUT", "2.5"), ("HF_TOKEN", "t")));

        Assert.Equal("https://hf-mirror.example", options.Endpoint);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.Timeout);
    }

    [Fact]
    public void Hf_token_wins_over_the_token_file()
    {
        var tokenFile = Path.Combine(_cache.Root, "token");
        File.WriteAllText(tokenFile, "hf_file");

        Assert.Equal("hf_env", HubOptions.FromVariables(Vars(("HF_TOKEN", "hf_env"), ("HF_TOKEN_PATH", tokenFile))).Token);
        Assert.Equal("hf_file", HubOptions.FromVariables(Vars(("HF_TOKEN_PATH", tokenFile), ("HF_HOME", _cache.Root))).Token);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://example.com")]
    public void An_endpoint_that_is_not_http_is_refused(string endpoint)
    {
        var error = Assert.Throws<ArgumentException>(() => new HubClient(_cache.Options(endpoint)));

        Assert.Contains("is not an absolute http(s) address", error.Message);
    }

    [Fact]
    public void The_token_never_appears_in_to_string()
    {
        var options = HubOptions.FromVariables(Vars(("HF_TOKEN", "hf_very_secret"), ("HF_HUB_CACHE", "/data/hub")));

        var text = options.ToString();

        Assert.DoesNotContain("hf_very_secret", text);
        Assert.Contains("Token = (set)", text);
        Assert.Contains("CacheDir = /data/hub", text);
    }
}
