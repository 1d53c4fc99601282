using InterpKernel.Notebook.Hosting;

namespace InterpKernel.Notebook.Magics;

/// <summary>Turns a bad argument into a failed cell whose message says what was wrong and shows the usage.</summary>
internal static class MagicErrors
{
    /// <summary>An exception naming the problem, followed by the magic's usage.</summary>
    public static MagicCommandException Usage(IKernelHost host, string magic, string problem) =>
        new($"{MagicDispatcher.Prefix}{magic}: {problem}\n\n{host.Magics.GetUsage(magic)}");

    /// <summary>
    /// Runs the body of a handler; an argument the public API rejects (bad path, unknown hook, token that is not
    /// one token) becomes a <see cref="MagicCommandException"/> with the API's message and the usage.
    /// </summary>
    public static async Task Guard(IKernelHost host, string magic, Func<Task> body)
    {
        try
        {
            await body().ConfigureAwait(false);
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException or FileNotFoundException or DirectoryNotFoundException)
        {
            throw new MagicCommandException(
                $"{MagicDispatcher.Prefix}{magic}: {e.Message}\n\n{host.Magics.GetUsage(magic)}", e);
        }
    }

    /// <summary>As <see cref="Guard(IKernelHost, string, Func{Task})"/> for a synchronous body.</summary>
    public static Task Guard(IKernelHost host, string magic, Action body) =>
        Guard(host, magic, () =>
        {
            body();
            return Task.CompletedTask;
        });

    /// <summary>Checks that <paramref name="layer"/> is a block of <paramref name="model"/>.</summary>
    public static void RequireLayer(IKernelHost host, string magic, HookedTransformer model, int layer)
    {
        var layers = model.Config.NLayers;
        if (layer < 0 || layer >= layers)
        {
            throw Usage(host, magic, $"layer {layer} does not exist: the model has {layers} layers (0 to {layers - 1}).");
        }
    }
}
