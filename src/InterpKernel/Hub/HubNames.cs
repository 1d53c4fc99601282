using System.Text.RegularExpressions;

namespace InterpKernel.Hub;

/// <summary>
/// Validation of the names that become paths inside the cache. Repo ids, revisions, file names, commit
/// hashes and ETags all arrive from callers or from a server, so each is checked before it touches the disk.
/// </summary>
internal static partial class HubNames
{
    /// <summary>One part of a repo id: what the hub accepts, minus the ".." and "--" it also forbids.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")]
    private static partial Regex RepoPart();

    /// <summary>Commit hashes and ETags name folders and blobs, so only a conservative charset is allowed.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex Token();

    [GeneratedRegex(@"^[0-9a-f]{40}$")]
    private static partial Regex CommitHash();

    [GeneratedRegex(@"^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();

    /// <summary>Returns null when <paramref name="repoId"/> is a valid hub model id, else what is wrong.</summary>
    public static string? RepoIdProblem(string? repoId)
    {
        if (string.IsNullOrEmpty(repoId)) return "the repo id is empty";
        var parts = repoId.Split('/');
        if (parts.Length > 2) return $"'{repoId}' has more than one '/': a repo id is 'name' or 'org/name'";
        foreach (var part in parts)
        {
            if (!RepoPart().IsMatch(part))
                return $"'{repoId}' is not a repo id: each part must start with a letter or digit and use only letters, digits, '.', '_' and '-' (at most 96 characters)";
            if (part.Contains("..", StringComparison.Ordinal) || part.Contains("--", StringComparison.Ordinal))
                return $"'{repoId}' is not a repo id: '..' and '--' are not allowed in it";
            if (part.EndsWith(".git", StringComparison.OrdinalIgnoreCase) || part.EndsWith('.'))
                return $"'{repoId}' is not a repo id: a part may not end with '.git' or '.'";
        }
        return null;
    }

    /// <summary>Returns null when <paramref name="path"/> is a safe relative path with '/' separators.</summary>
    public static string? RelativePathProblem(string? path, string what)
    {
        if (string.IsNullOrEmpty(path)) return $"the {what} is empty";
        if (path.Contains('\\')) return $"the {what} '{path}' contains a backslash: use '/' between folders";
        if (path.StartsWith('/') || Path.IsPathRooted(path)) return $"the {what} '{path}' is absolute: give a path relative to the repo";
        if (path.Contains(':')) return $"the {what} '{path}' contains ':', which could name a drive or stream";
        foreach (var c in path)
            if (char.IsControl(c)) return $"the {what} '{path}' contains a control character";
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0) return $"the {what} '{path}' has an empty segment ('//' or a leading or trailing '/')";
            if (segment is "." or "..") return $"the {what} '{path}' contains '{segment}', which could leave the cache";
        }
        return null;
    }

    /// <summary>True for a full 40-hex commit hash, which never needs a ref lookup.</summary>
    public static bool IsCommitHash(string revision) => CommitHash().IsMatch(revision);

    /// <summary>True when an ETag is a SHA-256 of the content (the hub's ETag for LFS files).</summary>
    public static bool IsSha256(string etag) => Sha256Hex().IsMatch(etag);

    /// <summary>True when a server-provided token (commit hash, ETag) can safely name a file or folder.</summary>
    public static bool IsSafeToken(string? value) => value is not null && Token().IsMatch(value);

    /// <summary>Folder name of a repo in the cache: <c>models--org--name</c>.</summary>
    public static string StorageFolderName(string repoId) => "models--" + repoId.Replace("/", "--", StringComparison.Ordinal);

    /// <summary>
    /// Combines <paramref name="root"/> with validated relative parts and checks that the result is still
    /// inside <paramref name="root"/>: the last line of defence against a name that escapes the cache.
    /// </summary>
    public static string Inside(string root, params string[] relativeParts)
    {
        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var combined = fullRoot;
        foreach (var part in relativeParts)
            combined = Path.Combine(combined, part.Replace('/', Path.DirectorySeparatorChar));
        var full = Path.GetFullPath(combined);
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (!full.StartsWith(fullRoot + Path.DirectorySeparatorChar, comparison))
            throw new ArgumentException($"The path '{string.Join('/', relativeParts)}' resolves to '{full}', outside the cache folder '{fullRoot}'; names must stay inside it.");
        return full;
    }
}
