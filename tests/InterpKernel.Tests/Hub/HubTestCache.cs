using InterpKernel.Hub;

namespace InterpKernel.Tests.Hub;

/// <summary>A temporary hub cache folder, deleted afterwards, so tests never touch ~/.cache.</summary>
internal sealed class HubTestCache : IDisposable
{
    public const string RepoId = "kjv/gpt2-2l";

    public HubTestCache()
    {
        Root = Path.Combine(Path.GetTempPath(), "interpkernel-hub-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Dir = Path.Combine(Root, "hub");
    }

    /// <summary>Parent of the cache, so a test can check that nothing was written beside it.</summary>
    public string Root { get; }

    public string Dir { get; }

    public string Storage => Path.Combine(Dir, "models--kjv--gpt2-2l");

    public static FakeRepo ShippedRepo() => FakeRepo.FromFolder(RepoId, TestPaths.Models("kjv-gpt2-2l"));

    public static byte[] Shipped(string file) => File.ReadAllBytes(Path.Combine(TestPaths.Models("kjv-gpt2-2l"), file));

    /// <summary>Options that read nothing from the real environment or home folder.</summary>
    public HubOptions Options(string endpoint) => HubOptions.FromVariables(name => name == "HF_HOME" ? Path.Combine(Root, "hf-home") : null) with
    {
        Endpoint = endpoint,
        Token = null,
        Offline = false,
        CacheDir = Dir,
        Timeout = TimeSpan.FromSeconds(20),
        CheckForUpdates = false,
    };

    public HubOptions Options(FakeHubServer server) => Options(server.Endpoint);

    /// <summary>Every file under the cache root, relative and with '/' separators.</summary>
    public IReadOnlyList<string> AllFiles() =>
        [.. Directory.EnumerateFileSystemEntries(Root, "*", SearchOption.AllDirectories)
            .Where(p => !Directory.Exists(p) || new FileInfo(p).LinkTarget is not null)
            .Select(p => Path.GetRelativePath(Root, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a failing test must not hide that test's own error.
        }
    }

    /// <summary>An endpoint where nothing listens, to simulate an unreachable hub.</summary>
    public static string DeadEndpoint()
    {
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return $"http://127.0.0.1:{port}";
    }
}
