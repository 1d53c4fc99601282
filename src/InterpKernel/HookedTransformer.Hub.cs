namespace InterpKernel;

public sealed partial class HookedTransformer
{
    static string ResolveFromHub(string nameOrPath, string revision) =>
        throw new DirectoryNotFoundException(
            $"'{nameOrPath}' is neither a model folder nor a model in ./models. Give the path of a folder holding config.json and model.safetensors.");
}
