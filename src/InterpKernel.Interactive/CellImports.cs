using System.Reflection;
using InterpKernel.Notebook.Hosting;

namespace InterpKernel.Interactive;

/// <summary>
/// The usings an InterpKernel notebook starts with, as InterpKernel's own kernel gives them: TorchSharp with
/// <c>using static TorchSharp.torch</c> (so <c>ones(2, 2)</c> works) and every InterpKernel namespace with public types.
/// </summary>
internal static class CellImports
{
    /// <summary>
    /// References to InterpKernel's assemblies and TorchSharp (so the C# kernel can name them even when the package was
    /// referenced from another language's cell), then the using directives, one per line.
    /// </summary>
    public static string Code()
    {
        Assembly[] ours = [typeof(HookedTransformer).Assembly, typeof(IKernelHost).Assembly];
        Assembly[] referenced = [.. ours, typeof(TorchSharp.torch).Assembly, typeof(Microsoft.Data.Analysis.DataFrame).Assembly];
        var references = referenced.Select(a => $"#r \"{a.Location}\"");
        var namespaces = ours
            .SelectMany(a => a.GetExportedTypes())
            .Select(t => t.Namespace)
            .OfType<string>()
            .Distinct()
            .Order(StringComparer.Ordinal);
        var lines = references
            .Concat(new[] { "TorchSharp" }.Concat(namespaces).Select(n => $"using {n};"))
            .Append("using static TorchSharp.torch;");
        return string.Join('\n', lines);
    }
}
