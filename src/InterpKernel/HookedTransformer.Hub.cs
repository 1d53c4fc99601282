using InterpKernel.Hub;

namespace InterpKernel;

public sealed partial class HookedTransformer
{
    /// <summary>
    /// Downloads (or finds in the Hugging Face cache) the files of a hub model id such as <c>"gpt2"</c> or
    /// <c>"EleutherAI/pythia-70m"</c> and returns its snapshot folder. Progress goes to the console unless
    /// <paramref name="options"/> says otherwise.
    /// </summary>
    public static string DownloadFromHub(string repoId, string revision = "main", HubOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repoId);
        var opts = options ?? HubOptions.FromEnvironment() with { Progress = new ConsoleProgress(Console.Error) };
        using var client = new HubClient(opts);
        return client.DownloadModelAsync(repoId, revision).GetAwaiter().GetResult();
    }

    static string ResolveFromHub(string nameOrPath, string revision = "main", HubOptions? options = null)
    {
        if (!HubClient.LooksLikeRepoId(nameOrPath))
            throw new DirectoryNotFoundException(
                $"'{nameOrPath}' is neither a model folder nor a Hugging Face model id. Give the path of a folder holding config.json and model.safetensors, or an id such as \"gpt2\" or \"EleutherAI/pythia-70m\".");
        return DownloadFromHub(nameOrPath, revision, options);
    }
}
