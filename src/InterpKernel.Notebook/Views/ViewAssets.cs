using System.Collections.Concurrent;
using System.Reflection;

namespace InterpKernel.Notebook.Views;

/// <summary>The CSS and scripts under Views/Assets, embedded in the assembly so that views work offline.</summary>
internal static class ViewAssets
{
    private static readonly ConcurrentDictionary<string, string> Cache = new();

    public static string Get(string fileName) => Cache.GetOrAdd(fileName, Load);

    private static string Load(string fileName)
    {
        var assembly = typeof(ViewAssets).Assembly;
        var resource = "InterpKernel.Notebook.Views.Assets." + fileName;
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException(
                $"embedded asset '{resource}' is missing from {assembly.GetName().Name}: check that Views/Assets/{fileName} exists and is embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The shared stylesheet as a style element; every view class is prefixed 'ik-'.</summary>
    public static string StyleElement() => "<style>" + Get("views.css") + "</style>";

    /// <summary>The scripts that views share, each with the page-global name it is kept under once defined.</summary>
    public static IReadOnlyList<(string Global, string File)> SharedScripts { get; } =
    [
        ("window.__ikChart", "chart.js"),
        ("window.__ikAttention", "attention.js"),
        ("window.__ikColoredTokens", "colored-tokens.js"),
        ("window.__ikAttributionGraph", "attribution-graph.js"),
    ];

    /// <summary>
    /// A JavaScript expression for the function in <paramref name="file"/> that defines it under its global name
    /// only the first time it runs on a page, so that each output still carries it and works alone.
    /// </summary>
    public static string SharedFunction(string file)
    {
        var global = SharedScripts.First(s => s.File == file).Global;
        return Definition(global, file);
    }

    /// <summary>The exact text <see cref="SharedFunction"/> writes, which a page may shorten to the global name after its first appearance.</summary>
    internal static string Definition(string global, string file) => "(" + global + "=" + global + "||(" + Get(file).Trim() + "))";
}
