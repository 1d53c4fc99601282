using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace InterpKernel.Tests.Hub;

/// <summary>One request as the fake hub saw it.</summary>
internal sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
}

/// <summary>A model repo served by <see cref="FakeHubServer"/>: one commit, a main branch, some LFS files.</summary>
internal sealed class FakeRepo
{
    public FakeRepo(string id, IDictionary<string, byte[]> files, IEnumerable<string> lfsFiles)
    {
        Id = id;
        Files = new Dictionary<string, byte[]>(files);
        LfsFiles = [.. lfsFiles];
        Commit = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes("commit of " + id)));
        Branches = new Dictionary<string, string> { ["main"] = Commit };
    }

    public string Id { get; }

    public string Commit { get; }

    public Dictionary<string, byte[]> Files { get; }

    public HashSet<string> LfsFiles { get; }

    public Dictionary<string, string> Branches { get; }

    /// <summary>The shipped model folder as a repo; model.safetensors is an LFS file, the rest are git files.</summary>
    public static FakeRepo FromFolder(string id, string folder) =>
        new(id, Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes), ["model.safetensors"]);

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>The git blob id, which the hub sends as the ETag of files kept in git.</summary>
    public static string GitSha(byte[] data) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {data.Length}\0"), .. data]));
}

/// <summary>
/// A small HTTP/1.1 server on 127.0.0.1 that answers like the Hugging Face hub: /{repo}/resolve/{rev}/{file}
/// with X-Repo-Commit and ETags, 302 to /blobs/{sha256} for LFS files, Range requests, 401 and 404 with the
/// hub's error codes, and switches to misbehave (drop a connection, ignore Range, lie about a hash).
/// </summary>
internal sealed class FakeHubServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, FakeRepo> _repos = new();
    private readonly Task _acceptLoop;
    private int _dropsLeft;

    public FakeHubServer(params FakeRepo[] repos)
    {
        foreach (var repo in repos) _repos[repo.Id] = repo;
        _listener.Start();
        BaseUri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _acceptLoop = AcceptAsync();
    }

    public Uri BaseUri { get; }

    public string Endpoint => BaseUri.ToString().TrimEnd('/');

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>When set, resolve requests need "Authorization: Bearer {token}" or get 401.</summary>
    public string? RequiredToken { get; set; }

    /// <summary>When set, LFS redirects point at this other server (absolute Location) instead of "/blobs/...".</summary>
    public Uri? BlobHost { get; set; }

    /// <summary>Answer every blob request with 200 and the whole file, as servers without Range support do.</summary>
    public bool IgnoreRange { get; set; }

    /// <summary>Announce this X-Linked-Etag instead of the real SHA-256 of LFS files.</summary>
    public string? LiedSha256 { get; set; }

    /// <summary>Bytes of a blob body sent before the connection is closed, for the next <see cref="DropCount"/> blob GETs.</summary>
    public long DropAfterBytes { get; set; }

    /// <summary>Instead of closing the connection after <see cref="DropAfterBytes"/>, go silent until the server stops.</summary>
    public bool StallInsteadOfDrop { get; set; }

    public int DropCount
    {
        get => Volatile.Read(ref _dropsLeft);
        set => Volatile.Write(ref _dropsLeft, value);
    }

    public void Add(FakeRepo repo) => _repos[repo.Id] = repo;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping the listener ends the accept loop with one of these.
        }
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = await ReadRequestAsync(stream);
                if (request is null) return;
                Requests.Enqueue(request);
                await RespondAsync(stream, request);
                client.Client.Shutdown(SocketShutdown.Send);
            }
            catch (IOException)
            {
                // The client went away; nothing to answer.
            }
            catch (SocketException)
            {
                // Same as above, seen at the socket level.
            }
        }
    }

    private static async Task<RecordedRequest?> ReadRequestAsync(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 65536)
        {
            if (await stream.ReadAsync(one) == 0) return null;
            bytes.Add(one[0]);
            if (bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n') break;
        }
        var lines = Encoding.ASCII.GetString([.. bytes]).Split("\r\n");
        var parts = lines[0].Split(' ');
        var headers = new Dictionary<string, string>();
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var colon = line.IndexOf(':');
            headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
        }
        return new RecordedRequest(parts[0], parts[1], headers);
    }

    private async Task RespondAsync(NetworkStream stream, RecordedRequest request)
    {
        var path = request.Path.Split('?')[0];
        if (path.StartsWith("/blobs/", StringComparison.Ordinal))
        {
            await ServeBlobAsync(stream, request, path["/blobs/".Length..]);
            return;
        }
        var resolve = path.IndexOf("/resolve/", StringComparison.Ordinal);
        if (resolve < 0)
        {
            await WriteAsync(stream, request, 404, [], ReadOnlyMemory<byte>.Empty);
            return;
        }
        if (RequiredToken is not null && request.Header("Authorization") != "Bearer " + RequiredToken)
        {
            await WriteAsync(stream, request, 401, [("X-Error-Message", "Invalid credentials in Authorization header")], ReadOnlyMemory<byte>.Empty);
            return;
        }
        var repoId = path[1..resolve];
        var rest = path[(resolve + "/resolve/".Length)..].Split('/');
        var revision = Uri.UnescapeDataString(rest[0]);
        var file = string.Join('/', rest.Skip(1).Select(Uri.UnescapeDataString));
        if (!_repos.TryGetValue(repoId, out var repo))
        {
            await WriteAsync(stream, request, 404, [("X-Error-Code", "RepoNotFound")], ReadOnlyMemory<byte>.Empty);
            return;
        }
        var commit = repo.Branches.TryGetValue(revision, out var c) ? c : revision == repo.Commit ? repo.Commit : null;
        if (commit is null)
        {
            await WriteAsync(stream, request, 404, [("X-Error-Code", "RevisionNotFound")], ReadOnlyMemory<byte>.Empty);
            return;
        }
        if (!repo.Files.TryGetValue(file, out var data))
        {
            await WriteAsync(stream, request, 404, [("X-Error-Code", "EntryNotFound"), ("X-Repo-Commit", commit)], ReadOnlyMemory<byte>.Empty);
            return;
        }
        if (repo.LfsFiles.Contains(file))
        {
            var sha = FakeRepo.Sha256(data);
            var location = BlobHost is null ? "/blobs/" + sha : new Uri(BlobHost, "blobs/" + sha).ToString();
            await WriteAsync(stream, request, 302,
            [
                ("Location", location), ("X-Repo-Commit", commit), ("X-Linked-Etag", $"\"{LiedSha256 ?? sha}\""),
                ("X-Linked-Size", data.Length.ToString(CultureInfo.InvariantCulture)), ("ETag", $"\"{FakeRepo.GitSha(Encoding.ASCII.GetBytes("pointer " + sha))}\""),
            ], ReadOnlyMemory<byte>.Empty);
            return;
        }
        await WriteAsync(stream, request, 200, [("X-Repo-Commit", commit), ("ETag", $"\"{FakeRepo.GitSha(data)}\"")], data);
    }

    private async Task ServeBlobAsync(NetworkStream stream, RecordedRequest request, string sha)
    {
        var data = _repos.Values.SelectMany(r => r.Files.Values).FirstOrDefault(d => FakeRepo.Sha256(d) == sha);
        if (data is null)
        {
            await WriteAsync(stream, request, 404, [], ReadOnlyMemory<byte>.Empty);
            return;
        }
        long start = 0;
        if (!IgnoreRange && request.Header("Range") is { } range && range.StartsWith("bytes=", StringComparison.Ordinal))
            start = long.Parse(range["bytes=".Length..].Split('-')[0], CultureInfo.InvariantCulture);
        if (start >= data.Length && start > 0)
        {
            await WriteAsync(stream, request, 416, [("Content-Range", $"bytes */{data.Length}")], ReadOnlyMemory<byte>.Empty);
            return;
        }
        var body = data.AsMemory((int)start);
        List<(string, string)> headers = [("ETag", $"\"{sha}\""), ("Accept-Ranges", IgnoreRange ? "none" : "bytes")];
        if (start > 0) headers.Add(("Content-Range", $"bytes {start}-{data.Length - 1}/{data.Length}"));
        var drop = request.Method == "GET" && Interlocked.Decrement(ref _dropsLeft) >= 0;
        await WriteAsync(stream, request, start > 0 ? 206 : 200, headers, body, drop ? DropAfterBytes : null);
        if (drop && StallInsteadOfDrop)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                // The server is being disposed.
            }
        }
    }

    private static async Task WriteAsync(NetworkStream stream, RecordedRequest request, int status, IEnumerable<(string Name, string Value)> headers, ReadOnlyMemory<byte> body, long? stopAfter = null)
    {
        var head = new StringBuilder($"HTTP/1.1 {status} {Reason(status)}\r\n");
        foreach (var (name, value) in headers) head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        if (request.Method == "HEAD") return;
        await stream.WriteAsync(stopAfter is { } n ? body[..(int)Math.Min(n, body.Length)] : body);
        await stream.FlushAsync();
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK", 206 => "Partial Content", 302 => "Found", 401 => "Unauthorized",
        404 => "Not Found", 416 => "Range Not Satisfiable", _ => "Status",
    };
}
