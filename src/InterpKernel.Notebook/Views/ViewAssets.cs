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
}
