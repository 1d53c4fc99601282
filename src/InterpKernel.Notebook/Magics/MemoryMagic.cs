using System.CommandLine;
using InterpKernel.Notebook.Hosting;

namespace InterpKernel.Notebook.Magics;

/// <summary>
/// <c>#!memory</c>: the tensors each variable reaches (directly or through models, caches, collections, closures) with
/// their bytes per device, the totals, the live tensors of the process, its managed heap and its resident memory.
/// </summary>
public static class MemoryMagic
{
    private const string Name = "memory";

    /// <summary>The magic command registration.</summary>
    public static MagicCommand Create() => new(
        Name,
        "Shows the tensors each variable holds and their bytes per device, with the process's live tensors and memory.",
        () => new Command(Name, "Shows the tensors each variable holds, their bytes per device, and the process's memory."),
        Run);

    private static Task Run(ParseResult parse, IKernelHost host, CancellationToken cancellationToken)
    {
        var report = MemoryReport.Of(host.Variables());
        if (report.Variables.Count == 0)
        {
            host.Out.WriteLine("No variable holds a tensor.");
        }
        else
        {
            host.Display(report.Table());
        }

        host.Display(report.Summary());
        return Task.CompletedTask;
    }
}
