using InterpKernel.Hub;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

public sealed partial class SparseAutoencoder
{
    /// <summary>
    /// Loads an SAE from a Hugging Face repo that holds several SAEs in folders (SAELens releases keep one per hook,
    /// e.g. <c>blocks.8.hook_resid_pre/</c>; Gemma Scope one per layer, width and L0, e.g. <c>layer_12/width_16k/average_l0_82</c>):
    /// downloads <c>cfg.json</c> and <c>sae_weights.safetensors</c> of <paramref name="saeFolder"/>, or its
    /// <c>params.npz</c> where it has no <c>cfg.json</c>, into the hub cache (or finds them there) and loads them.
    /// A path to a <c>.npz</c> or <c>.safetensors</c> file in the repo (a circuit-tracer transcoder such as
    /// <c>layer_0.safetensors</c>) downloads and loads that file.
    /// </summary>
    /// <param name="repoId">A hub model id such as <c>jbloom/GPT2-Small-SAEs-Reformatted</c> or <c>google/gemma-scope-2b-pt-res</c>.</param>
    /// <param name="saeFolder">The SAE's folder (or file) inside the repo, with '/' between folders.</param>
    /// <param name="device">Where the weights go; null keeps them on the CPU.</param>
    /// <param name="dtype">Converts the weights to this type; null keeps the stored one.</param>
    /// <param name="hubOptions">Endpoint, token and cache; null reads the environment and reports progress on stderr.</param>
    /// <param name="revision">A branch, tag or commit of the repo.</param>
    /// <exception cref="ArgumentException">The repo id, folder or revision is malformed.</exception>
    /// <exception cref="HubException">The files could not be downloaded or found in the cache.</exception>
    /// <param name="hookName">For layouts without a config: the hook read; null infers it from the repo name and path.</param>
    /// <param name="hookNameOut">For layouts without a config: the hook a transcoder predicts; null infers it.</param>
    /// <example><code>
    /// using var sae = SparseAutoencoder.Load("jbloom/GPT2-Small-SAEs-Reformatted", "blocks.8.hook_resid_pre");
    /// using var gemma = SparseAutoencoder.Load("google/gemma-scope-2b-pt-res", "layer_12/width_16k/average_l0_82"); // reads blocks.12.hook_resid_post
    /// </code></example>
    public static SparseAutoencoder Load(string repoId, string saeFolder, Device? device = null, ScalarType? dtype = null,
        HubOptions? hubOptions = null, string revision = "main", string? hookName = null, string? hookNameOut = null)
    {
        ArgumentNullException.ThrowIfNull(saeFolder);
        if (saeFolder.EndsWith(".npz", StringComparison.OrdinalIgnoreCase) || saeFolder.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            return Load(DownloadFile(repoId, saeFolder, revision, hubOptions), device, dtype, hookName: hookName, hookNameOut: hookNameOut);
        return Load(DownloadFromHub(repoId, saeFolder, revision, hubOptions), device, dtype, hookName: hookName, hookNameOut: hookNameOut);
    }

    static string DownloadFile(string repoId, string file, string revision, HubOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repoId);
        if (HubNames.RepoIdProblem(repoId) is { } repoProblem)
            throw new ArgumentException($"Cannot download an SAE: {repoProblem}.", nameof(repoId));
        string path = file.Trim('/');
        if (HubNames.RelativePathProblem(path, "SAE file") is { } fileProblem)
            throw new ArgumentException($"Cannot download an SAE from {repoId}: {fileProblem}.", nameof(file));
        var opts = options ?? HubOptions.FromEnvironment() with { Progress = new ConsoleProgress(Console.Error) };
        using var client = new HubClient(opts);
        return client.DownloadFileAsync(repoId, path, revision).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Downloads (or finds in the Hugging Face cache) <c>cfg.json</c> and <c>sae_weights.safetensors</c> of an SAE,
    /// or Gemma Scope's <c>params.npz</c> where the folder has no <c>cfg.json</c>, and returns the local folder holding
    /// them, inside the repo's snapshot in the cache.
    /// </summary>
    /// <param name="repoId">A hub model id such as <c>org/name</c>.</param>
    /// <param name="saeFolder">The SAE's folder inside the repo, or null when the files sit at the repo's top level.</param>
    /// <param name="revision">A branch, tag or commit of the repo.</param>
    /// <param name="options">Endpoint, token and cache; null reads the environment and reports progress on stderr.</param>
    /// <returns>The folder to pass to <see cref="Load(string, Device?, ScalarType?, HubOptions?, string, string?, string?)"/>.</returns>
    /// <exception cref="ArgumentException">The repo id, folder or revision is malformed.</exception>
    /// <exception cref="HubException">The files could not be downloaded or found in the cache.</exception>
    public static string DownloadFromHub(string repoId, string? saeFolder = null, string revision = "main", HubOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repoId);
        if (HubNames.RepoIdProblem(repoId) is { } repoProblem)
            throw new ArgumentException($"Cannot download an SAE: {repoProblem}.", nameof(repoId));
        // "blocks.8.hook_resid_pre/" is how folders are often written; the hub wants no slash at either end.
        string? folder = saeFolder?.Trim('/');
        if (saeFolder is not null && HubNames.RelativePathProblem(folder, "SAE folder") is { } folderProblem)
            throw new ArgumentException($"Cannot download an SAE from {repoId}: {folderProblem}.", nameof(saeFolder));
        string Within(string file) => string.IsNullOrEmpty(folder) ? file : $"{folder}/{file}";

        var opts = options ?? HubOptions.FromEnvironment() with { Progress = new ConsoleProgress(Console.Error) };
        using var client = new HubClient(opts);
        string config;
        try
        {
            config = client.DownloadFileAsync(repoId, Within(ConfigFileName), revision).GetAwaiter().GetResult();
        }
        catch (HubException e) when (e.Kind is HubErrorKind.NotFound or HubErrorKind.Offline)
        {
            // Gemma Scope keeps each SAE as one params.npz, with no config beside it.
            if (TryDownload(client, repoId, Within(GemmaScopeFileName), revision) is { } npz) return Path.GetDirectoryName(npz)!;
            throw;
        }
        string local = Path.GetDirectoryName(config)!;
        // The weights are fetched at the commit the config came from, so a push to the branch in between cannot
        // pair a config with weights of another version.
        string snapshot = local;
        for (int depth = string.IsNullOrEmpty(folder) ? 0 : folder.Split('/').Length; depth > 0; depth--) snapshot = Path.GetDirectoryName(snapshot)!;
        client.DownloadFileAsync(repoId, Within(WeightsFileName), Path.GetFileName(snapshot)).GetAwaiter().GetResult();
        return local;
    }

    static string? TryDownload(HubClient client, string repoId, string file, string revision)
    {
        try
        {
            return client.DownloadFileAsync(repoId, file, revision).GetAwaiter().GetResult();
        }
        catch (HubException)
        {
            return null;
        }
    }
}
