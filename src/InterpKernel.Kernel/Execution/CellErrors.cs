using System.Reflection;
using InterpKernel.Notebook.Hosting;

namespace InterpKernel.Kernel.Execution;

/// <summary>Turns what a cell threw into Jupyter's ename / evalue / traceback.</summary>
internal static class CellErrors
{
    private static readonly string[] HiddenFrames =
    [
        "Microsoft.CodeAnalysis.Scripting", "System.Runtime.CompilerServices", "System.Runtime.ExceptionServices",
        "System.Threading.Tasks.Task", "System.Threading.ExecutionContext", "InterpKernel.Kernel.Execution.CellEngine",
        "--- End of stack trace",
    ];

    public static CellError From(Exception exception, CancellationToken cellToken)
    {
        var e = Unwrap(exception);
        return e switch
        {
            CellCompilationException compile => new CellError("CompilationError", compile.Message, compile.Lines),
            OperationCanceledException when cellToken.IsCancellationRequested => new CellError(
                "OperationCanceledException",
                e.Message.StartsWith("The cell did not stop", StringComparison.Ordinal) ? e.Message : "The cell was interrupted.",
                ["The cell was interrupted."]),
            MagicCommandException magic => new CellError(nameof(MagicCommandException), magic.Message, magic.Message.Split('\n')),
            _ => new CellError(e.GetType().FullName ?? e.GetType().Name, e.Message, Traceback(e)),
        };
    }

    private static Exception Unwrap(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => Unwrap(a.InnerException!),
        // Parallel loops whose every worker saw the interrupt report it as one cancellation.
        AggregateException a when a.Flatten().InnerExceptions is { Count: > 0 } inner && inner.All(i => i is OperationCanceledException)
            => inner[0],
        TargetInvocationException { InnerException: { } inner } => Unwrap(inner),
        _ => e,
    };

    private static List<string> Traceback(Exception e)
    {
        var lines = new List<string> { $"{e.GetType().FullName}: {e.Message}" };
        lines.AddRange((e.StackTrace ?? "").Split('\n')
            .Select(l => l.TrimEnd())
            .Where(l => l.Length > 0 && !HiddenFrames.Any(h => l.Contains(h, StringComparison.Ordinal))));
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            lines.Add($" ---> {inner.GetType().FullName}: {inner.Message}");
        }

        return lines;
    }
}
