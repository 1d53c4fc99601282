namespace InterpKernel.Hub;

/// <summary>What the hub says about one file at one revision, gathered over all redirect hops.</summary>
/// <param name="Exists">False when the hub answered 404 for the file itself (the repo and revision exist).</param>
/// <param name="Commit">The commit the revision resolved to (X-Repo-Commit).</param>
/// <param name="Etag">X-Linked-Etag (SHA-256 for LFS files) or ETag, quotes and weak marker removed.</param>
/// <param name="Size">X-Linked-Size or Content-Length.</param>
/// <param name="DownloadUri">Where the bytes are: the last hop of the metadata request.</param>
internal sealed record RemoteFile(bool Exists, string? Commit, string? Etag, long? Size, Uri? DownloadUri);
