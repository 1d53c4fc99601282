using System.Reflection;
using InterpKernel.Notebook.Hosting;

namespace InterpKernel.Interactive;

/// <summary>
/// The usings an InterpKernel notebook starts with, as InterpKernel's own kernel gives them: TorchSharp with
/// <c>using static TorchSharp.torch</c> (so <c>ones(2, 2)</c> works) and every InterpKernel namespace with public types.
/// </summary>
internal static class CellImports
{
    /// <summary>The using directives, one per line.</summary>
    public static string Code()
    {
        Assembly[] ours = [typeof(HookedTransformer).Assembly, typeof(IKernelHost).Assembly];
        var namespaces = ours
            .SelectMany(a => a.GetExportedTypes())
            .Select(t => t.Namespace)
            .OfType<string>()
            .Distinct()
            .Order(StringComparer.Ordinal);
        var lines = new[] { "TorchSharp" }.Concat(namespaces).Select(n => $"using {n};").Append("using static TorchSharp.torch;");
        return string.Join('\n', lines);
    }
}
