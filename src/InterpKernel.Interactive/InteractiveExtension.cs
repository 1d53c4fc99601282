using InterpKernel.Interactive.Natives;
using InterpKernel.Notebook.Hosting;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.CSharp;

namespace InterpKernel.Interactive;

/// <summary>
/// The .NET Interactive extension: loaded by dotnet-interactive or Polyglot Notebooks when a cell runs
/// <c>#r "nuget: InterpKernel.Interactive, &lt;version&gt;"</c>. It makes TorchSharp's native backend load in that
/// host, registers InterpKernel's views as formatters, and adds every magic command of InterpKernel's kernel as a
/// directive of the C# kernel (<c>#!model</c>, <c>#!run</c>, <c>#!attention</c>, ... and <c>#!help</c>).
/// </summary>
/// <example>
/// <code>
/// #r "nuget: InterpKernel.Interactive, 0.1.0"
/// #!model load kjv-gpt2-2l
/// #!run "In the beginning God created the heaven and the earth"
/// </code>
/// </example>
public sealed class InteractiveExtension : IKernelExtension
{
    /// <summary>Called by the host once the package is referenced.</summary>
    /// <param name="kernel">The host's root kernel (a composite kernel holding the C# kernel), or the C# kernel itself.</param>
    public async Task OnLoadAsync(Kernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        var csharp = FindCSharpKernel(kernel);
        var natives = TorchSharpNatives.Install();
        var host = new InteractiveKernelHost(csharp);
        NotebookExtension.Load(host);
        var directives = MagicDirectives.AddTo(csharp, host);
        var imports = await csharp.SendAsync(new SubmitCode(CellImports.Code())).ConfigureAwait(false);
        if (imports.Events.OfType<CommandFailed>().FirstOrDefault() is { } failed)
        {
            throw new InvalidOperationException($"InterpKernel could not add its usings to the C# kernel: {failed.Message}");
        }

        if (KernelInvocationContext.Current is { } context)
        {
            KernelInvocationContextExtensions.Display(
                context,
                $"InterpKernel: {directives.Count} magic commands ({string.Join(", ", directives)}); #!help lists them. {natives}",
                "text/plain");
        }
    }

    private static CSharpKernel FindCSharpKernel(Kernel kernel) => kernel switch
    {
        CSharpKernel csharp => csharp,
        CompositeKernel composite => composite.ChildKernels.OfType<CSharpKernel>().FirstOrDefault()
            ?? throw new InvalidOperationException("InterpKernel needs a C# kernel, and this host has none: start a C# notebook (.NET Interactive's csharp kernel)."),
        _ => throw new InvalidOperationException($"InterpKernel was loaded into a {kernel.GetType().Name}: load it from a C# cell of dotnet-interactive or Polyglot Notebooks."),
    };
}
