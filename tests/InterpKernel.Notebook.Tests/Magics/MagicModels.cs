namespace InterpKernel.Notebook.Tests.Magics;

/// <summary>Where the embedded models lie, found by walking up from the test binaries to the repository root.</summary>
internal static class MagicModels
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "models", "kjv-gpt2-2l"))) return dir.FullName;
        }

        throw new DirectoryNotFoundException($"No models/kjv-gpt2-2l above {AppContext.BaseDirectory}: run the tests from the repository.");
    });

    /// <summary>The two-layer KJV model's folder.</summary>
    public static string Kjv2l => Path.Combine(Root.Value, "models", "kjv-gpt2-2l");

    /// <summary>A host with kjv-gpt2-2l loaded as <c>model</c>.</summary>
    public static async Task<FakeKernelHost> HostWithModel()
    {
        var host = new FakeKernelHost();
        await host.Run($"#!model load \"{Kjv2l}\"");
        host.Displays.Clear();
        host.OutText.GetStringBuilder().Clear();
        return host;
    }
}
