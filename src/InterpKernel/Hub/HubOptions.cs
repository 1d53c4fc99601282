using System.Text;

namespace InterpKernel.Hub;

/// <summary>
/// Where and how <see cref="HubClient"/> downloads. A new instance takes its defaults from the same
/// environment variables as huggingface_hub (HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE, HF_HUB_CACHE, HF_HOME),
/// so the cache is shared with Python tools; override any of them with <c>with</c> or an initializer.
/// </summary>
/// <example>
/// <code>
/// var options = HubOptions.FromEnvironment() with { CacheDir = "/data/hf-cache", Progress = new ConsoleProgress() };
/// using var hub = new HubClient(options);
/// string folder = await hub.DownloadModelAsync("gpt2");
/// </code>
/// </example>
public sealed record HubOptions
{
    /// <summary>Options with the defaults of the environment variables, as <see cref="FromEnvironment"/>.</summary>
    public HubOptions()
        : this(Environment.GetEnvironmentVariable)
    {
    }

    private HubOptions(Func<string, string?> read)
    {
        Endpoint = HubEnvironment.Endpoint(read);
        Token = HubEnvironment.Token(read);
        Offline = HubEnvironment.Offline(read);
        CacheDir = HubEnvironment.CacheDir(read);
        Timeout = HubEnvironment.Timeout(read);
    }

    /// <summary>Base address of the hub (HF_ENDPOINT, default https://huggingface.co), without a trailing slash.</summary>
    public string Endpoint { get; init; }

    /// <summary>Access token sent as <c>Authorization: Bearer</c> (HF_TOKEN, else the token file of <c>hf auth login</c>).</summary>
    public string? Token { get; init; }

    /// <summary>When true no request is made and only cached files are returned (HF_HUB_OFFLINE=1 or true).</summary>
    public bool Offline { get; init; }

    /// <summary>The hub cache folder (HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub).</summary>
    public string CacheDir { get; init; }

    /// <summary>Receives byte counts while files download; <see cref="ConsoleProgress"/> prints them.</summary>
    public IProgress<DownloadProgress>? Progress { get; init; }

    /// <summary>
    /// HTTP handler for all requests (proxies, certificates, tests). The client follows redirects itself to
    /// read the hub's headers on each hop, so a SocketsHttpHandler or HttpClientHandler given here must have
    /// <c>AllowAutoRedirect = false</c>. The handler is not disposed by the client.
    /// </summary>
    public HttpMessageHandler? Handler { get; init; }

    /// <summary>
    /// Longest wait for a connection, for response headers, or between two reads of a body
    /// (HF_HUB_DOWNLOAD_TIMEOUT in seconds, default 30 s). A slow but moving download never times out.
    /// </summary>
    public TimeSpan Timeout { get; init; }

    /// <summary>
    /// When false (the default), a branch or tag already resolved in the cache (refs/{revision}) is trusted and
    /// cached files are returned without any request. When true, every call asks the hub for the revision's
    /// current commit and falls back to the cache only when the hub cannot be reached.
    /// </summary>
    public bool CheckForUpdates { get; init; }

    /// <summary>How many times an interrupted download resumes by itself before the error is thrown (default 2).</summary>
    public int ResumeAttempts { get; init; } = 2;

    /// <summary>Options read from the environment variables, with huggingface_hub's defaults.</summary>
    /// <returns>A new options instance.</returns>
    public static HubOptions FromEnvironment() => FromVariables(Environment.GetEnvironmentVariable);

    /// <summary>Keeps the token out of logs: ToString shows only whether one is set.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Endpoint = {Endpoint}, Token = {(Token is null ? "(none)" : "(set)")}, Offline = {Offline}, CacheDir = {CacheDir}, ");
        builder.Append($"Timeout = {Timeout}, CheckForUpdates = {CheckForUpdates}, ResumeAttempts = {ResumeAttempts}");
        return true;
    }

    /// <summary>Options computed from an arbitrary variable source, so tests never read the real environment.</summary>
    internal static HubOptions FromVariables(Func<string, string?> read) => new(read);
}
