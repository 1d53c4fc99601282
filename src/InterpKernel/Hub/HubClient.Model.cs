using System.Text.Json;

namespace InterpKernel.Hub;

public sealed partial class HubClient
{
    /// <summary>Tokenizer and generation files a loader can use when a repo has them; a 404 on them is fine.</summary>
    public static IReadOnlyList<string> OptionalModelFiles { get; } =
    [
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt",
        "tokenizer.model", "generation_config.json",
    ];

    private const string ConfigFile = "config.json";
    private const string SingleWeights = "model.safetensors";
    private const string WeightIndex = "model.safetensors.index.json";

    /// <summary>
    /// Downloads what a model needs: config.json, then model.safetensors or model.safetensors.index.json with
    /// every shard it names, plus those of <see cref="OptionalModelFiles"/> the repo has. All files come from
    /// the one commit that config.json resolved to. When the snapshot is already complete in the cache no
    /// request is made.
    /// </summary>
    /// <param name="repoId">A hub model id: <c>gpt2</c> or <c>org/name</c>.</param>
    /// <param name="revision">A branch, tag or commit hash.</param>
    /// <param name="ct">Cancels the download; a partial file is kept for resuming.</param>
    /// <returns>The snapshot folder, <c>CacheDir/models--{org}--{name}/snapshots/{commit}</c>.</returns>
    /// <exception cref="ArgumentException">The repo id or revision is malformed.</exception>
    /// <exception cref="HubException">A required file could not be downloaded or found in the cache.</exception>
    public async Task<string> DownloadModelAsync(string repoId, string revision = "main", CancellationToken ct = default)
    {
        var repo = OpenRepo(repoId, revision);
        var local = repo.ResolveLocal(revision);
        if (local is not null && (_options.Offline || !_options.CheckForUpdates || HubNames.IsCommitHash(revision)))
        {
            var (missing, optionalUnknown) = LocalState(repo, local);
            if (missing.Count == 0 && (_options.Offline || !optionalUnknown)) return repo.SnapshotFolder(local);
        }
        if (_options.Offline)
        {
            var missing = local is null ? [ConfigFile, $"{SingleWeights} (or {WeightIndex} and the shards it names)"] : LocalState(repo, local).Missing;
            var folder = repo.SuggestedSnapshotFolder(revision);
            throw new HubException(HubErrorKind.Offline, repoId,
                $"{repoId} (revision {revision}) is not complete in the cache and offline mode is on (HF_HUB_OFFLINE or HubOptions.Offline). "
                + $"Missing: {string.Join(", ", missing)}. Put them into {folder}{ManualSetupHint(repo, revision)}, or run once with network access.",
                missing, folder);
        }

        var (_, commit) = await FetchAsync(repo, ConfigFile, revision, optional: false, ct).ConfigureAwait(false);
        // Later files are fetched by commit, so a push during the download cannot mix two versions.
        var pinned = commit ?? revision;
        var (weights, _) = await FetchAsync(repo, SingleWeights, pinned, optional: true, ct).ConfigureAwait(false);
        if (weights is null)
        {
            var (index, _) = await FetchAsync(repo, WeightIndex, pinned, optional: true, ct).ConfigureAwait(false);
            if (index is null)
                throw new HubException(HubErrorKind.NotFound, repoId,
                    $"{repoId} at revision {revision} has neither {SingleWeights} nor {WeightIndex}; only safetensors checkpoints can be loaded (convert pytorch_model.bin with the transformers library, or pick a revision that has safetensors). "
                    + $"Or put the weights into {repo.SnapshotFolder(pinned)}.",
                    [SingleWeights], repo.SnapshotFolder(pinned));
            foreach (var shard in ReadShardNames(repo, index))
                await FetchAsync(repo, shard, pinned, optional: false, ct).ConfigureAwait(false);
        }
        foreach (var optional in OptionalModelFiles)
            await FetchAsync(repo, optional, pinned, optional: true, ct).ConfigureAwait(false);
        return repo.SnapshotFolder(pinned);
    }

    /// <summary>
    /// Which required files a cached snapshot lacks, and whether some optional file was never looked up
    /// (neither present nor remembered as absent), in which case the hub is asked once more.
    /// </summary>
    private static (List<string> Missing, bool OptionalUnknown) LocalState(RepoCache repo, string commit)
    {
        var missing = new List<string>();
        if (repo.UsableSnapshotFile(commit, ConfigFile) is null) missing.Add(ConfigFile);
        if (repo.UsableSnapshotFile(commit, SingleWeights) is null)
        {
            if (repo.UsableSnapshotFile(commit, WeightIndex) is { } index)
            {
                try
                {
                    missing.AddRange(ReadShardNames(repo, index).Where(shard => repo.UsableSnapshotFile(commit, shard) is null));
                }
                catch (HubException)
                {
                    missing.Add(WeightIndex);
                }
            }
            else
            {
                missing.Add(repo.IsKnownMissing(commit, SingleWeights)
                    ? $"{WeightIndex} (and the shards it names)"
                    : $"{SingleWeights} (or {WeightIndex} and the shards it names)");
            }
        }
        var optionalUnknown = OptionalModelFiles.Any(f => repo.UsableSnapshotFile(commit, f) is null && !repo.IsKnownMissing(commit, f));
        return (missing, optionalUnknown);
    }

    /// <summary>The shard files of a sharded checkpoint; they come from the server, so each name is checked.</summary>
    private static List<string> ReadShardNames(RepoCache repo, string indexPath)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(indexPath));
        }
        catch (JsonException e)
        {
            throw new HubException(HubErrorKind.Protocol, repo.RepoId, $"{WeightIndex} of {repo.RepoId} ({indexPath}) is not valid JSON: {e.Message}. Delete it so it is downloaded again.", [WeightIndex], Path.GetDirectoryName(indexPath), e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new HubException(HubErrorKind.Protocol, repo.RepoId, $"{WeightIndex} of {repo.RepoId} ({indexPath}) has no \"weight_map\" object naming the shard of each tensor.", [WeightIndex], Path.GetDirectoryName(indexPath));
            var shards = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var entry in map.EnumerateObject())
            {
                var shard = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString() : null;
                if (HubNames.RelativePathProblem(shard, "shard name") is { } problem)
                    throw new HubException(HubErrorKind.Protocol, repo.RepoId, $"{WeightIndex} of {repo.RepoId} maps tensor '{entry.Name}' to an unusable shard: {problem}.", [WeightIndex], Path.GetDirectoryName(indexPath));
                shards.Add(shard!);
            }
            if (shards.Count == 0)
                throw new HubException(HubErrorKind.Protocol, repo.RepoId, $"{WeightIndex} of {repo.RepoId} ({indexPath}) names no shards.", [WeightIndex], Path.GetDirectoryName(indexPath));
            return [.. shards];
        }
    }
}
