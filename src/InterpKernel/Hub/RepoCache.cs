namespace InterpKernel.Hub;

/// <summary>
/// The cache layout of one model repo, identical to huggingface_hub's so both tools share files:
/// <c>models--org--name/{blobs/{etag}, refs/{revision}, snapshots/{commit}/{file}, .no_exist/{commit}/{file}}</c>.
/// Every path is built through <see cref="HubNames.Inside"/>, so no name can leave the cache folder.
/// </summary>
internal sealed class RepoCache
{
    private readonly string _storageName;

    public RepoCache(string cacheDir, string repoId)
    {
        CacheRoot = Path.GetFullPath(cacheDir);
        RepoId = repoId;
        _storageName = HubNames.StorageFolderName(repoId);
        StorageFolder = HubNames.Inside(CacheRoot, _storageName);
    }

    public string CacheRoot { get; }

    public string RepoId { get; }

    public string StorageFolder { get; }

    public string BlobPath(string etag) => HubNames.Inside(CacheRoot, _storageName, "blobs", etag);

    public string LockPath(string etag) => HubNames.Inside(CacheRoot, ".locks", _storageName, etag + ".lock");

    public string SnapshotFolder(string commit) => HubNames.Inside(CacheRoot, _storageName, "snapshots", commit);

    public string SnapshotFile(string commit, string fileName) => HubNames.Inside(CacheRoot, _storageName, "snapshots", commit, fileName);

    /// <summary>
    /// The snapshot folder a person should fill by hand for a revision: the commit's folder when the ref is
    /// known, else a folder named after the revision, which <see cref="ResolveLocal"/> accepts.
    /// </summary>
    public string SuggestedSnapshotFolder(string revision) => SnapshotFolder(ResolveLocal(revision) ?? RevisionFolderName(revision));

    /// <summary>
    /// The commit (snapshot folder name) a revision maps to without asking the hub: a commit hash is itself,
    /// a branch or tag goes through refs/{revision}, and a snapshot folder named after the revision also counts.
    /// </summary>
    public string? ResolveLocal(string revision)
    {
        if (HubNames.IsCommitHash(revision)) return revision;
        var refPath = HubNames.Inside(CacheRoot, _storageName, "refs", revision);
        if (File.Exists(refPath))
        {
            var commit = File.ReadAllText(refPath).Trim();
            if (HubNames.IsSafeToken(commit)) return commit;
        }
        var byName = RevisionFolderName(revision);
        return Directory.Exists(SnapshotFolder(byName)) ? byName : null;
    }

    /// <summary>The path of a cached file, or null when it is absent or a link whose blob is gone.</summary>
    public string? UsableSnapshotFile(string commit, string fileName)
    {
        var path = SnapshotFile(commit, fileName);
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
            return info.ResolveLinkTarget(returnFinalTarget: true) is { Exists: true } ? path : null;
        return info.Exists ? path : null;
    }

    public bool IsKnownMissing(string commit, string fileName) =>
        File.Exists(HubNames.Inside(CacheRoot, _storageName, ".no_exist", commit, fileName));

    /// <summary>Remembers a 404 so later calls skip the request, as huggingface_hub does.</summary>
    public void MarkMissing(string commit, string fileName)
    {
        var marker = HubNames.Inside(CacheRoot, _storageName, ".no_exist", commit, fileName);
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        File.WriteAllBytes(marker, []);
    }

    public void WriteRef(string revision, string commit)
    {
        if (revision == commit) return;
        var refPath = HubNames.Inside(CacheRoot, _storageName, "refs", revision);
        if (File.Exists(refPath) && File.ReadAllText(refPath).Trim() == commit) return;
        Directory.CreateDirectory(Path.GetDirectoryName(refPath)!);
        var temp = refPath + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temp, commit);
        File.Move(temp, refPath, overwrite: true);
    }

    /// <summary>
    /// Points snapshots/{commit}/{file} at the blob with a relative symlink, so the cache can be moved as a
    /// whole; where symlinks are refused (Windows without developer mode) the blob is copied instead.
    /// </summary>
    public void Link(string blobPath, string pointerPath)
    {
        var folder = Path.GetDirectoryName(pointerPath)!;
        Directory.CreateDirectory(folder);
        var temp = pointerPath + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            File.CreateSymbolicLink(temp, Path.GetRelativePath(folder, blobPath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            File.Copy(blobPath, temp, overwrite: true);
        }
        File.Move(temp, pointerPath, overwrite: true);
    }

    /// <summary>Revisions such as refs/pr/1 contain '/', which a single folder name cannot.</summary>
    private static string RevisionFolderName(string revision) => revision.Replace("/", "--", StringComparison.Ordinal);
}
