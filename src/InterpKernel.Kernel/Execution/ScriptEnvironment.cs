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
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Assembly, MetadataReference> References = new();

    private static readonly string[] BaseImports =
    [
        "System", "System.Collections.Generic", "System.Linq", "System.Threading", "System.Threading.Tasks", "TorchSharp",
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
            .WithReferences(FrameworkReferences(common: true))
            .AddReferences(assemblies.Select(WithDocumentation))
            .WithImports(imports)
            .WithMetadataResolver(resolver)
            .WithSourceResolver(new SourceFileResolver([], Environment.CurrentDirectory));
    }

    /// <summary>
    /// A reference that carries the XML documentation file next to the assembly, when there is one; one per assembly,
    /// so that binding many variables of its types adds it to the options once instead of reading it again each time.
    /// </summary>
    public static MetadataReference WithDocumentation(Assembly assembly) => References.GetOrAdd(assembly, static a =>
    {
        var xml = Path.ChangeExtension(a.Location, ".xml");
        return MetadataReference.CreateFromFile(
            a.Location,
            documentation: File.Exists(xml) ? new XmlDocumentationFile(xml) : null);
    });


    // Every Roslyn submission binds all of its references again, so each one costs every cell time: with the whole
    // shared framework (about 170 assemblies) a trivial cell took 16-20 ms, with the assemblies below 10-11 ms. A cell
    // that uses the rest of the framework still compiles: the engine retries it with RestOfFramework and keeps those
    // references from then on. ScriptOptions.Default lacks even System.Linq.
    private static readonly HashSet<string> CommonFramework = new(StringComparer.OrdinalIgnoreCase)
    {
        "System.Private.CoreLib", "System.Runtime", "netstandard", "mscorlib", "System.Collections", "System.Collections.Concurrent",
        "System.Console", "System.Linq", "System.Linq.Expressions", "System.Memory", "System.ObjectModel",
        "System.Runtime.InteropServices", "System.Runtime.Numerics", "System.Text.RegularExpressions", "System.Threading",
        "System.Threading.Tasks", "System.ComponentModel.Primitives", "System.Private.Uri", "System.Runtime.Extensions",
        "System.IO.FileSystem",
    };

    /// <summary>The shared framework's assemblies that cells do not reference until one needs them.</summary>
    public static IEnumerable<MetadataReference> RestOfFramework() => FrameworkReferences(common: false);

    private static IEnumerable<MetadataReference> FrameworkReferences(bool common)
    {
        var folder = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var trusted = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator);
        return trusted
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && Path.GetDirectoryName(p) == folder)
            .Where(p => CommonFramework.Contains(Path.GetFileNameWithoutExtension(p)) == common)
            .Select(p => MetadataReference.CreateFromFile(p, documentation: FrameworkDocumentation(p)));
    }

    // The shared framework ships no XML docs; the targeting pack of the SDK has them next to its reference assemblies.
    private static DocumentationProvider? FrameworkDocumentation(string implementation)
    {
        var xml = Path.Combine(TargetingPackFolder.Value ?? "", Path.ChangeExtension(Path.GetFileName(implementation), ".xml"));
        return TargetingPackFolder.Value is not null && File.Exists(xml) ? new XmlDocumentationFile(xml) : null;
    }

    private static readonly Lazy<string?> TargetingPackFolder = new(() =>
    {
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
        var packs = Path.Combine(root, "packs", "Microsoft.NETCore.App.Ref");
        if (!Directory.Exists(packs))
        {
            return null;
        }

        var tfm = $"net{Environment.Version.Major}.{Environment.Version.Minor}";
        return Directory.GetDirectories(packs)
            .Select(v => Path.Combine(v, "ref", tfm))
            .Where(Directory.Exists)
            .OrderByDescending(p => p, StringComparer.Ordinal)
            .FirstOrDefault();
    });

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
