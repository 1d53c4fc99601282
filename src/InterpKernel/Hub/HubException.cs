namespace InterpKernel.Hub;

/// <summary>
/// A download from the hub failed or could not be served from the cache. The message names the repo, the
/// files that are missing and the snapshot folder to put them in; for 401 it says to set HF_TOKEN.
/// </summary>
public sealed class HubException : Exception
{
    /// <summary>Creates an exception with a message only (kind <see cref="HubErrorKind.Protocol"/>).</summary>
    /// <param name="message">What went wrong and what to do.</param>
    public HubException(string message)
        : this(HubErrorKind.Protocol, "", message)
    {
    }

    /// <summary>Creates an exception that wraps the error that caused it.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="innerException">The underlying error.</param>
    public HubException(string message, Exception innerException)
        : this(HubErrorKind.Protocol, "", message, innerException: innerException)
    {
    }

    /// <summary>Creates a fully described exception.</summary>
    /// <param name="kind">Why it failed.</param>
    /// <param name="repoId">The repo involved.</param>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="missingFiles">Files that could not be provided.</param>
    /// <param name="snapshotFolder">The folder where those files belong in the cache.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public HubException(HubErrorKind kind, string repoId, string message, IReadOnlyList<string>? missingFiles = null,
        string? snapshotFolder = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        RepoId = repoId;
        MissingFiles = missingFiles ?? [];
        SnapshotFolder = snapshotFolder;
    }

    /// <summary>Why the download failed.</summary>
    public HubErrorKind Kind { get; }

    /// <summary>The repo involved, e.g. <c>gpt2</c>.</summary>
    public string RepoId { get; }

    /// <summary>The files that could not be provided.</summary>
    public IReadOnlyList<string> MissingFiles { get; }

    /// <summary>The snapshot folder where the missing files belong, when known.</summary>
    public string? SnapshotFolder { get; }
}
