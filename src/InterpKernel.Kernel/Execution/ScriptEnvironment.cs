using System.Reflection;
using InterpKernel.Notebook.Hosting;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.DotNet.Interactive.Formatting;

namespace InterpKernel.Kernel.Execution;

/// <summary>
/// The references and usings every notebook starts with: the BCL basics, TorchSharp with
/// <c>using static TorchSharp.torch</c>, and every InterpKernel namespace that has public types.
/// </summary>
internal static class ScriptEnvironment
{
    private static readonly string[] BaseImports =
    [
        "System", "System.Collections.Generic", "System.Linq", "System.Threading.Tasks", "TorchSharp",
        // A type name among the imports is a static import.
        "TorchSharp.torch",
    ];

    public static ScriptOptions CreateOptions()
    {
        var assemblies = OurAssemblies().ToList();
        var imports = BaseImports.Concat(InterpKernelNamespaces(assemblies)).Distinct().ToArray();
        var resolver = new NuGetMetadataResolver(
            ScriptMetadataResolver.Default.WithBaseDirectory(Environment.CurrentDirectory));
        return ScriptOptions.Default
            .WithLanguageVersion(LanguageVersion.Latest)
            .AddReferences(assemblies.Select(WithDocumentation))
            .WithImports(imports)
            .WithMetadataResolver(resolver)
            .WithSourceResolver(new SourceFileResolver([], Environment.CurrentDirectory));
    }

    /// <summary>A reference that carries the XML documentation file next to the assembly, when there is one.</summary>
    public static MetadataReference WithDocumentation(Assembly assembly)
    {
        var xml = Path.ChangeExtension(assembly.Location, ".xml");
        return MetadataReference.CreateFromFile(
            assembly.Location,
            documentation: File.Exists(xml) ? new XmlDocumentationFile(xml) : null);
    }

    private static IEnumerable<Assembly> OurAssemblies()
    {
        yield return typeof(IKernelHost).Assembly;
        yield return typeof(TorchSharp.torch).Assembly;
        yield return typeof(Formatter).Assembly;
        yield return typeof(ScriptGlobals).Assembly;
        var core = TryLoad("InterpKernel");
        if (core is not null)
        {
            yield return core;
        }
    }

    private static IEnumerable<string> InterpKernelNamespaces(IEnumerable<Assembly> assemblies) =>
        assemblies
            .Where(a => a.GetName().Name is "InterpKernel" or "InterpKernel.Notebook")
            .SelectMany(a => a.GetExportedTypes())
            .Select(t => t.Namespace)
            .OfType<string>()
            .Where(n => n == "InterpKernel" || n.StartsWith("InterpKernel.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    private static Assembly? TryLoad(string name)
    {
        try
        {
            return Assembly.Load(name);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }
}
