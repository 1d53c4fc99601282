using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace InterpKernel.Hub;

public sealed partial class HubClient
{
    private const int MaxRedirects = 10;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// HEAD on the resolve URL. Same-origin redirects (renamed repos, relative Locations) are followed, as
    /// huggingface_hub does; a redirect to another host ends the walk, and its target is where the bytes are.
    /// The first hop carries the hub's own headers, so headers are gathered across all hops.
    /// </summary>
    private async Task<RemoteFile> FetchMetadataAsync(RepoCache repo, string fileName, string revision, CancellationToken ct)
    {
        var uri = ResolveUri(repo.RepoId, revision, fileName);
        string? commit = null, linkedEtag = null, redirectEtag = null;
        long? linkedSize = null;
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            using var request = NewRequest(HttpMethod.Head, uri);
            using var response = await SendAsync(request, ct).ConfigureAwait(false);
            commit ??= Header(response, "X-Repo-Commit");
            linkedEtag ??= NormalizeEtag(Header(response, "X-Linked-Etag"));
            linkedSize ??= ParseLength(Header(response, "X-Linked-Size"));
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                redirectEtag = NormalizeEtag(Header(response, "ETag")) ?? redirectEtag;
                var next = new Uri(uri, location);
                if (!SameOrigin(next, uri))
                    return new RemoteFile(true, commit, linkedEtag ?? redirectEtag, linkedSize, next);
                uri = next;
                continue;
            }
            if (response.IsSuccessStatusCode)
            {
                var etag = linkedEtag ?? NormalizeEtag(Header(response, "ETag")) ?? redirectEtag;
                return new RemoteFile(true, commit, etag, linkedSize ?? response.Content.Headers.ContentLength, uri);
            }
            if (response.StatusCode == HttpStatusCode.NotFound && Header(response, "X-Error-Code") is null or "EntryNotFound")
                return new RemoteFile(false, commit, null, null, null);
            throw StatusError(response, repo, fileName, revision);
        }
        throw new HubException(HubErrorKind.Protocol, repo.RepoId, $"More than {MaxRedirects} redirects while resolving {fileName} of {repo.RepoId} at {ResolveUri(repo.RepoId, revision, fileName)}.");
    }

    /// <summary>
    /// Downloads into blobs/{etag}.incomplete (resuming it with a Range request when it exists), checks size
    /// and SHA-256, then renames it into place, so a blob file is only ever complete. A broken connection
    /// resumes up to <see cref="HubOptions.ResumeAttempts"/> times before it is reported.
    /// </summary>
    private async Task DownloadBlobAsync(RepoCache repo, string fileName, RemoteFile remote, string blob, CancellationToken ct)
    {
        using var fileLock = await FileLock.AcquireAsync(repo.LockPath(remote.Etag!), ct).ConfigureAwait(false);
        if (BlobIsComplete(blob, remote.Size)) return;
        var incomplete = blob + ".incomplete";
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await DownloadToAsync(repo, fileName, remote, incomplete, ct).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (e is HubNetworkException or IOException && !ct.IsCancellationRequested)
            {
                if (attempt < _options.ResumeAttempts)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * (attempt + 1)), ct).ConfigureAwait(false);
                    continue;
                }
                var done = File.Exists(incomplete) ? new FileInfo(incomplete).Length : 0;
                throw new HubException(HubErrorKind.Interrupted, repo.RepoId,
                    $"The download of {fileName} from {repo.RepoId} broke off after {done:N0} of {(remote.Size is { } s ? s.ToString("N0", CultureInfo.InvariantCulture) : "?")} bytes ({e.Message}). "
                    + $"The partial file is kept at {incomplete}; call again to resume from there.",
                    [fileName], repo.SnapshotFolder(remote.Commit!), e);
            }
        }
        await VerifyAsync(repo, fileName, remote, incomplete, ct).ConfigureAwait(false);
        File.Move(incomplete, blob, overwrite: true);
    }

    private async Task DownloadToAsync(RepoCache repo, string fileName, RemoteFile remote, string incomplete, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(incomplete)!);
        long start = File.Exists(incomplete) ? new FileInfo(incomplete).Length : 0;
        if (remote.Size is { } size && start > size)
        {
            File.Delete(incomplete);
            start = 0;
        }
        if (remote.Size is { } total && start == total && total > 0) return;

        var uri = remote.DownloadUri!;
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            using var request = NewRequest(HttpMethod.Get, uri);
            if (start > 0) request.Headers.Range = new RangeHeaderValue(start, null);
            using var response = await SendAsync(request, ct).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                uri = new Uri(uri, location);
                continue;
            }
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && start > 0)
            {
                // The partial file does not fit what the server has now; start over.
                File.Delete(incomplete);
                start = 0;
                hop--;
                continue;
            }
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                throw StatusError(response, repo, fileName, remote.Commit!);
            if (!response.IsSuccessStatusCode)
                throw new HubException(HubErrorKind.Protocol, repo.RepoId,
                    $"The hub announced {fileName} of {repo.RepoId}, but fetching its bytes from {uri} answered {(int)response.StatusCode} {response.ReasonPhrase}. Try again later, or put the file into {repo.SnapshotFolder(remote.Commit!)}.",
                    [fileName], repo.SnapshotFolder(remote.Commit!));

            var append = start > 0 && response.StatusCode == HttpStatusCode.PartialContent;
            if (append && response.Content.Headers.ContentRange is { From: { } from } && from != start)
            {
                File.Delete(incomplete);
                throw new HubNetworkException($"the server answered a resume from byte {start:N0} with bytes from {from:N0}");
            }
            await CopyBodyAsync(repo, fileName, remote, response, incomplete, append ? start : 0, ct).ConfigureAwait(false);
            return;
        }
        throw new HubException(HubErrorKind.Protocol, repo.RepoId, $"More than {MaxRedirects} redirects while downloading {fileName} of {repo.RepoId} from {remote.DownloadUri}.");
    }

    private async Task CopyBodyAsync(RepoCache repo, string fileName, RemoteFile remote, HttpResponseMessage response, string incomplete, long start, CancellationToken ct)
    {
        // A server that ignores Range answers 200 with the whole file: then the partial file is replaced.
        await using var file = new FileStream(incomplete, start > 0 ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var buffer = new byte[1 << 16];
        var done = start;
        var total = remote.Size ?? (response.Content.Headers.ContentLength is { } length ? start + length : null);
        var clock = Stopwatch.StartNew();
        Report(repo, fileName, done, total);
        while (true)
        {
            stall.CancelAfter(_options.Timeout);
            int read;
            try
            {
                read = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
            {
                throw new HubNetworkException($"no data for {_options.Timeout.TotalSeconds:0.#} s", e);
            }
            if (read == 0) break;
            await file.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
            done += read;
            if (clock.Elapsed >= ProgressInterval)
            {
                await file.FlushAsync(ct).ConfigureAwait(false);
                Report(repo, fileName, done, total);
                clock.Restart();
            }
        }
        Report(repo, fileName, done, total);
    }

    private static async Task VerifyAsync(RepoCache repo, string fileName, RemoteFile remote, string incomplete, CancellationToken ct)
    {
        var length = new FileInfo(incomplete).Length;
        if (remote.Size is { } size && length != size)
        {
            File.Delete(incomplete);
            throw new HubException(HubErrorKind.Integrity, repo.RepoId,
                $"{fileName} of {repo.RepoId} arrived with {length:N0} bytes but the hub announced {size:N0}; the partial file was deleted. Try again; if it repeats, a proxy is altering downloads.",
                [fileName]);
        }
        if (!HubNames.IsSha256(remote.Etag!)) return;
        string actual;
        await using (var stream = new FileStream(incomplete, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
            actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false));
        if (actual != remote.Etag)
        {
            File.Delete(incomplete);
            throw new HubException(HubErrorKind.Integrity, repo.RepoId,
                $"{fileName} of {repo.RepoId} has SHA-256 {actual} but the hub announced {remote.Etag}; the download was deleted and nothing was placed in the cache. Try again; if it repeats, a proxy is altering downloads.",
                [fileName]);
        }
    }

    private void Report(RepoCache repo, string fileName, long done, long? total) =>
        _options.Progress?.Report(new DownloadProgress(repo.RepoId, fileName, done, total));

    private HttpRequestMessage NewRequest(HttpMethod method, Uri uri)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("InterpKernel", typeof(HubClient).Assembly.GetName().Version?.ToString(3) ?? "1.0"));
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
        // The token goes to the hub only, never to the storage host a download is redirected to.
        if (_options.Token is { Length: > 0 } token && SameOrigin(uri, _endpoint))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if ((int)response.StatusCode >= 500)
            {
                var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
                response.Dispose();
                throw new HubNetworkException($"{request.RequestUri!.Host} answered {status}");
            }
            return response;
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new HubNetworkException($"no answer from {request.RequestUri!.Host} within {_options.Timeout.TotalSeconds:0.#} s", e);
        }
        catch (HttpRequestException e)
        {
            throw new HubNetworkException(e.Message, e);
        }
    }

    private HubException StatusError(HttpResponseMessage response, RepoCache repo, string fileName, string revision)
    {
        var folder = repo.SuggestedSnapshotFolder(revision);
        var url = response.RequestMessage?.RequestUri;
        var serverSays = Header(response, "X-Error-Message") is { } m ? $" The hub says: {m}" : "";
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new HubException(HubErrorKind.Unauthorized, repo.RepoId,
                $"The hub answered 401 Unauthorized for {fileName} of {repo.RepoId} ({url}): the repo is private or gated, or does not exist, and "
                + (_options.Token is null ? "no token was sent. Set HF_TOKEN" : "the token that was sent was refused. Set HF_TOKEN")
                + $" (or HubOptions.Token) to a token with read access (https://huggingface.co/settings/tokens), or put the files into {folder}.{serverSays}",
                [fileName], folder),
            HttpStatusCode.Forbidden => new HubException(HubErrorKind.Forbidden, repo.RepoId,
                $"The hub answered 403 Forbidden for {fileName} of {repo.RepoId}: the token has no access. For a gated model, accept its terms at {_endpoint.ToString().TrimEnd('/')}/{repo.RepoId} with the account of HF_TOKEN, or put the files into {folder}.{serverSays}",
                [fileName], folder),
            HttpStatusCode.NotFound when Header(response, "X-Error-Code") == "RevisionNotFound" => new HubException(HubErrorKind.NotFound, repo.RepoId,
                $"Revision '{revision}' does not exist in {repo.RepoId} on {_endpoint}: use a branch, tag or commit hash of the repo.{serverSays}",
                [fileName], folder),
            HttpStatusCode.NotFound => new HubException(HubErrorKind.NotFound, repo.RepoId,
                $"Repository {repo.RepoId} was not found on {_endpoint} (404 for {fileName}). Check the id (org/name); a private repo also needs HF_TOKEN. Or put the files into {folder}.{serverSays}",
                [fileName], folder),
            _ => new HubException(HubErrorKind.Protocol, repo.RepoId,
                $"The hub answered {(int)response.StatusCode} {response.ReasonPhrase} for {fileName} of {repo.RepoId} ({url}).{serverSays}",
                [fileName], folder),
        };
    }

    private Uri ResolveUri(string repoId, string revision, string fileName)
    {
        var file = string.Join('/', fileName.Split('/').Select(Uri.EscapeDataString));
        return new Uri($"{_endpoint.ToString().TrimEnd('/')}/{repoId}/resolve/{Uri.EscapeDataString(revision)}/{file}");
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? contentValues.FirstOrDefault()
        : null;

    /// <summary>ETags arrive quoted and sometimes weak (W/"..."); the cache names blobs by the bare value.</summary>
    private static string? NormalizeEtag(string? etag)
    {
        if (string.IsNullOrWhiteSpace(etag)) return null;
        var value = etag.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal)) value = value[2..];
        return value.Trim('"');
    }

    private static long? ParseLength(string? value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}
