using InterpKernel.Notebook.Formatting;
using InterpKernel.Notebook.Magics;

namespace InterpKernel.Notebook.Hosting;

/// <summary>
/// The entry point a notebook host calls once at startup to add InterpKernel's magic commands.
/// </summary>
public static class NotebookExtension
{
    /// <summary>Registers InterpKernel's formatters (views, tensors, DataFrames) and magic commands with the host.</summary>
    /// <param name="host">The kernel or runner host.</param>
    /// <example>
    /// <code>
    /// NotebookExtension.Load(host);
    /// await host.Magics.InvokeAsync("#!help", host, CancellationToken.None);
    /// </code>
    /// </example>
    public static void Load(IKernelHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        InterpKernelFormatters.Register();
        host.Magics.Register(HelpMagic.Create());
        host.Magics.Register(ModelMagic.Create());
        host.Magics.Register(RunMagic.Create());
        host.Magics.Register(AttentionMagic.Create());
        host.Magics.Register(LogitLensMagic.Create());
        host.Magics.Register(HooksMagic.Create());
        host.Magics.Register(PatchMagic.Create());
        host.Magics.Register(HeadsMagic.Create());
        host.Magics.Register(NeuronsMagic.Create());
        host.Magics.Register(SaeMagic.Create());
        host.Magics.Register(SteerMagic.Create());
        host.Magics.Register(CircuitMagic.Create());
        host.Magics.Register(MemoryMagic.Create());
    }
}
