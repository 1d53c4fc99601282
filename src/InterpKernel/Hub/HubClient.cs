namespace InterpKernel.Hub;

/// <summary>
/// Downloads model files from the Hugging Face hub into the standard cache (shared with huggingface_hub and
/// transformers) and returns local paths. Cached files are reused without a request; offline, or when the hub
/// cannot be reached, files come from the cache or a <see cref="HubException"/> says where to put them.
/// </summary>
/// <example>
/// <code>
/// using var hub = new HubClient(HubOptions.FromEnvironment() with { Progress = new ConsoleProgress() });
/// string folder = await hub.DownloadModelAsync("EleutherAI/pythia-70m", revision: "main");
/// string config = Path.Combine(folder, "config.json");
/// </code>
/// </example>
public sealed partial class HubClient : IDisposable
{
    private readonly HubOptions _options;
    private readonly HttpClient _http;
    private readonly Uri _endpoint;

    /// <summary>Creates a client; without options the environment decides (see <see cref="HubOptions"/>).</summary>
    /// <param name="options">Endpoint, token, cache folder and transport; null reads the environment.</param>
    /// <exception cref="ArgumentException">An option is unusable; the message says which and why.</exception>
    public HubClient(HubOptions? options = null)
    {
        _options = options ?? HubOptions.FromEnvironment();
        if (!Uri.TryCreate(_options.Endpoint.TrimEnd('/'), UriKind.Absolute, out var endpoint)
            || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"HubOptions.Endpoint '{_options.Endpoint}' is not an absolute http(s) address such as https://huggingface.co.", nameof(options));
        if (string.IsNullOrWhiteSpace(_options.CacheDir))
            throw new ArgumentException("HubOptions.CacheDir is empty: give the folder of the hub cache (HF_HUB_CACHE).", nameof(options));
        if (_options.Timeout <= TimeSpan.Zero)
            throw new ArgumentException($"HubOptions.Timeout is {_options.Timeout}: it must be positive.", nameof(options));
        if (_options.ResumeAttempts < 0)
            throw new ArgumentException($"HubOptions.ResumeAttempts is {_options.ResumeAttempts}: use 0 to never resume by itself.", nameof(options));
        if (_options.Handler is SocketsHttpHandler { AllowAutoRedirect: true } or HttpClientHandler { AllowAutoRedirect: true })
            throw new ArgumentException("HubOptions.Handler follows redirects by itself, which hides the hub's headers on the first hop (X-Repo-Commit, X-Linked-Etag): set AllowAutoRedirect = false on it; the client follows redirects itself.", nameof(options));

        _endpoint = endpoint;
        var handler = _options.Handler ?? new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = _options.Timeout,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        _http = new HttpClient(handler, disposeHandler: _options.Handler is null) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    /// <summary>The options this client uses.</summary>
    public HubOptions Options => _options;

    /// <summary>
    /// Returns the local path of <paramref name="fileName"/> in
    /// <c>CacheDir/models--{org}--{name}/snapshots/{commit}/</c>, downloading it when it is not cached.
    /// </summary>
    /// <param name="repoId">A hub model id: <c>gpt2</c> or <c>org/name</c>.</param>
    /// <param name="fileName">The file's path in the repo, with '/' between folders.</param>
    /// <param name="revision">A branch, tag or commit hash.</param>
    /// <param name="ct">Cancels the download; a partial file is kept for resuming.</param>
    /// <returns>The full path of the file in its snapshot folder.</returns>
    /// <exception cref="ArgumentException">The repo id, file name or revision is malformed or would leave the cache.</exception>
    /// <exception cref="HubException">The file could not be downloaded or found in the cache.</exception>
    public async Task<string> DownloadFileAsync(string repoId, string fileName, string revision = "main", CancellationToken ct = default)
    {
        var repo = OpenRepo(repoId, revision);
        if (HubNames.RelativePathProblem(fileName, "file name") is { } problem)
            throw new ArgumentException($"Cannot download from {repoId}: {problem}.", nameof(fileName));
        var (path, _) = await FetchAsync(repo, fileName, revision, optional: false, ct).ConfigureAwait(false);
        return path!;
    }

    /// <summary>
    /// True when <paramref name="s"/> has the shape of a hub model id (<c>gpt2</c>, <c>org/name</c>) and is not
    /// an existing local file or folder, so loaders can accept either.
    /// </summary>
    /// <param name="s">A repo id or a local path.</param>
    /// <returns>Whether to treat <paramref name="s"/> as a repo id.</returns>
    public static bool LooksLikeRepoId(string s) =>
        HubNames.RepoIdProblem(s) is null && !File.Exists(s) && !Directory.Exists(s);

    /// <summary>Releases the HTTP client (and the handler, when the client created it).</summary>
    public void Dispose() => _http.Dispose();

    private RepoCache OpenRepo(string repoId, string revision)
    {
        if (HubNames.RepoIdProblem(repoId) is { } problem)
            throw new ArgumentException($"Cannot use repo id: {problem}.", nameof(repoId));
        if (HubNames.RelativePathProblem(revision, "revision") is { } revisionProblem)
            throw new ArgumentException($"Cannot use revision for {repoId}: {revisionProblem}.", nameof(revision));
        return new RepoCache(_options.CacheDir, repoId);
    }

    /// <summary>
    /// One file: from the cache when the revision is already resolved there, else from the hub, else from the
    /// cache again when the hub cannot be reached. Returns a null path only for an optional file that does not
    /// exist; the commit is returned whenever it is known.
    /// </summary>
    private async Task<(string? Path, string? Commit)> FetchAsync(RepoCache repo, string fileName, string revision, bool optional, CancellationToken ct)
    {
        var trustCache = !_options.CheckForUpdates || HubNames.IsCommitHash(revision);
        if (trustCache && repo.ResolveLocal(revision) is { } localCommit)
        {
            if (repo.UsableSnapshotFile(localCommit, fileName) is { } cached) return (cached, localCommit);
            if (repo.IsKnownMissing(localCommit, fileName))
                return optional ? (null, localCommit) : throw EntryNotFound(repo, fileName, revision, localCommit);
        }
        if (_options.Offline)
            return FromCacheOrThrow(repo, fileName, revision, optional, "offline mode is on (HF_HUB_OFFLINE or HubOptions.Offline)", null);

        RemoteFile remote;
        try
        {
            remote = await FetchMetadataAsync(repo, fileName, revision, ct).ConfigureAwait(false);
        }
        catch (HubNetworkException e)
        {
            return FromCacheOrThrow(repo, fileName, revision, optional, $"the hub at {_endpoint} could not be reached ({e.Message})", e);
        }

        if (!remote.Exists)
        {
            if (HubNames.IsSafeToken(remote.Commit))
            {
                repo.MarkMissing(remote.Commit!, fileName);
                repo.WriteRef(revision, remote.Commit!);
            }
            return optional ? (null, remote.Commit) : throw EntryNotFound(repo, fileName, revision, remote.Commit);
        }

        var commit = remote.Commit;
        if (!HubNames.IsSafeToken(commit))
            throw new HubException(HubErrorKind.Protocol, repo.RepoId,
                $"The hub at {_endpoint} sent {(commit is null ? "no X-Repo-Commit header" : $"an unusable commit '{commit}'")} for {fileName} of {repo.RepoId}; without it the file cannot be placed in a snapshot. Is HF_ENDPOINT a Hugging Face hub?");
        if (!HubNames.IsSafeToken(remote.Etag))
            throw new HubException(HubErrorKind.Protocol, repo.RepoId,
                $"The hub at {_endpoint} sent {(remote.Etag is null ? "no ETag" : $"an unusable ETag '{remote.Etag}'")} for {fileName} of {repo.RepoId}; the ETag names the blob in the cache.");

        // A file served straight from the resolve URL is fetched by commit, so a push to the branch between
        // the two requests cannot swap the bytes under the ETag just read.
        if (remote.DownloadUri == ResolveUri(repo.RepoId, revision, fileName))
            remote = remote with { DownloadUri = ResolveUri(repo.RepoId, commit!, fileName) };

        var pointer = repo.SnapshotFile(commit!, fileName);
        if (repo.UsableSnapshotFile(commit!, fileName) is null)
        {
            var blob = repo.BlobPath(remote.Etag!);
            if (!BlobIsComplete(blob, remote.Size))
                await DownloadBlobAsync(repo, fileName, remote, blob, ct).ConfigureAwait(false);
            repo.Link(blob, pointer);
        }
        repo.WriteRef(revision, commit!);
        return (pointer, commit);
    }

    private static bool BlobIsComplete(string blob, long? size)
    {
        var info = new FileInfo(blob);
        return info.Exists && (size is null || info.Length == size);
    }

    private (string? Path, string? Commit) FromCacheOrThrow(RepoCache repo, string fileName, string revision, bool optional, string reason, Exception? inner)
    {
        var commit = repo.ResolveLocal(revision);
        if (commit is not null && repo.UsableSnapshotFile(commit, fileName) is { } cached) return (cached, commit);
        if (optional) return (null, commit);
        var folder = repo.SuggestedSnapshotFolder(revision);
        throw new HubException(HubErrorKind.Offline, repo.RepoId,
            $"{fileName} of {repo.RepoId} (revision {revision}) is not in the cache and {reason}. "
            + $"Put {fileName} into {folder}{ManualSetupHint(repo, revision)}, or run once with network access.",
            [fileName], folder, inner);
    }

    private HubException EntryNotFound(RepoCache repo, string fileName, string revision, string? commit)
    {
        var folder = commit is not null && HubNames.IsSafeToken(commit) ? repo.SnapshotFolder(commit) : repo.SuggestedSnapshotFolder(revision);
        return new HubException(HubErrorKind.NotFound, repo.RepoId,
            $"{fileName} does not exist in {repo.RepoId} at revision {revision}{(commit is null || commit == revision ? "" : $" (commit {commit})")} on {_endpoint}. "
            + $"Check the file name, or put the file into {folder} yourself.",
            [fileName], folder);
    }

    /// <summary>A folder named after a branch is accepted as its snapshot until the hub names a commit; say so.</summary>
    private static string ManualSetupHint(RepoCache repo, string revision) =>
        repo.ResolveLocal(revision) is null && !HubNames.IsCommitHash(revision)
            ? $" (create the folder: it stands for revision {revision} until the hub names a commit)"
            : "";
}
