using System.Globalization;

namespace InterpKernel.Hub;

/// <summary>
/// Reads the environment variables that huggingface_hub reads, so a cache and token shared with Python
/// tools are found without configuration.
/// </summary>
internal static class HubEnvironment
{
    public const string DefaultEndpoint = "https://huggingface.co";

    public static string Endpoint(Func<string, string?> read) =>
        NonEmpty(read("HF_ENDPOINT"))?.TrimEnd('/') ?? DefaultEndpoint;

    public static bool Offline(Func<string, string?> read)
    {
        var value = NonEmpty(read("HF_HUB_OFFLINE"));
        return value is not null && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase)
                                     || value.Equals("yes", StringComparison.OrdinalIgnoreCase)
                                     || value.Equals("on", StringComparison.OrdinalIgnoreCase));
    }

    public static string HfHome(Func<string, string?> read)
    {
        var home = NonEmpty(read("HF_HOME"));
        if (home is not null) return ExpandHome(home);
        var xdg = NonEmpty(read("XDG_CACHE_HOME"));
        var cacheRoot = xdg is not null ? ExpandHome(xdg) : Path.Combine(UserHome(), ".cache");
        return Path.Combine(cacheRoot, "huggingface");
    }

    public static string CacheDir(Func<string, string?> read)
    {
        var hubCache = NonEmpty(read("HF_HUB_CACHE")) ?? NonEmpty(read("HUGGINGFACE_HUB_CACHE"));
        return hubCache is not null ? ExpandHome(hubCache) : Path.Combine(HfHome(read), "hub");
    }

    /// <summary>HF_TOKEN, else the legacy variable, else the token file that <c>hf auth login</c> writes.</summary>
    public static string? Token(Func<string, string?> read)
    {
        var token = NonEmpty(read("HF_TOKEN")) ?? NonEmpty(read("HUGGING_FACE_HUB_TOKEN"));
        if (token is not null) return token.Trim();
        var tokenPath = NonEmpty(read("HF_TOKEN_PATH")) is { } p ? ExpandHome(p) : Path.Combine(HfHome(read), "token");
        try
        {
            return File.Exists(tokenPath) ? NonEmpty(File.ReadAllText(tokenPath).Trim()) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static TimeSpan Timeout(Func<string, string?> read)
    {
        var value = NonEmpty(read("HF_HUB_DOWNLOAD_TIMEOUT"));
        return value is not null && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromSeconds(30);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string UserHome() => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    private static string ExpandHome(string path) =>
        path == "~" ? UserHome()
        : path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(UserHome(), path[2..])
        : path;
}
