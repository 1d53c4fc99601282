namespace InterpKernel.Hub;

/// <summary>Why a <see cref="HubException"/> was thrown.</summary>
public enum HubErrorKind
{
    /// <summary>Offline mode, or the hub could not be reached, and the files are not in the cache.</summary>
    Offline,

    /// <summary>The repo, revision or file does not exist (404).</summary>
    NotFound,

    /// <summary>The hub asked for credentials (401): a private or gated repo without a valid token.</summary>
    Unauthorized,

    /// <summary>The token is valid but has no access (403), e.g. a gated repo whose terms are not accepted.</summary>
    Forbidden,

    /// <summary>The downloaded bytes do not match the announced size or SHA-256.</summary>
    Integrity,

    /// <summary>The connection broke during the body; the partial file is kept and the next call resumes it.</summary>
    Interrupted,

    /// <summary>The server answered something the hub protocol does not allow (missing headers, odd status).</summary>
    Protocol,
}
