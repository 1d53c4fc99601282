using System.Text.Json.Nodes;
using InterpKernel.Kernel.Execution;

namespace InterpKernel.Kernel.Runner;

/// <summary>
/// Executes the code cells of an nbformat 4 notebook in order with a <see cref="CellEngine"/>, replacing
/// their outputs and execution counts. Markdown and raw cells are kept as they are.
/// </summary>
public static class NotebookRunner
{
    /// <summary>Runs a notebook in place.</summary>
    /// <param name="notebook">The notebook JSON; code cells get new outputs.</param>
    /// <param name="engine">The engine to run cells with.</param>
    /// <param name="allowErrors">Keep going after a failing cell instead of stopping there.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <param name="checkpoint">
    /// Called before each code cell runs, with the notebook as it stands: the cells before carry their outputs, the
    /// cell about to run carries an error output saying the process ended while it ran. Saving the notebook here
    /// means that a crash of the process (a native fault) leaves a notebook that keeps every earlier output and
    /// names the cell that crashed; when the cell finishes, its real outputs replace the note.
    /// </param>
    public static async Task<RunReport> RunAsync(JsonObject notebook, CellEngine engine, bool allowErrors,
        CancellationToken cancellationToken = default, Action? checkpoint = null)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        ArgumentNullException.ThrowIfNull(engine);
        var cells = notebook["cells"] as JsonArray
            ?? throw new ArgumentException("The notebook has no \"cells\" array: it is not nbformat 4.", nameof(notebook));
        var failures = new List<(int, CellError)>();
        var count = 0;
        for (var i = 0; i < cells.Count; i++)
        {
            if (cells[i] is not JsonObject cell || (string?)cell["cell_type"] != "code")
            {
                continue;
            }

            var source = NotebookFile.Source(cell);
            count++;
            if (checkpoint is not null)
            {
                cell["execution_count"] = count;
                cell["outputs"] = new JsonArray(CrashNote(count));
                checkpoint();
            }

            var sink = new CollectingSink(count);
            CellOutcome outcome;
            using (checkpoint is null ? null : NativeCrash.Report(crash => SaveCrash(cell, sink, crash.ToCellError(source), checkpoint)))
            {
                outcome = await engine.ExecuteAsync(source, sink, cancellationToken).ConfigureAwait(false);
            }

            cell["execution_count"] = count;
            cell["outputs"] = sink.Outputs;
            if (outcome.Error is { } error)
            {
                failures.Add((i, error));
                if (!allowErrors)
                {
                    break;
                }
            }
        }

        return new RunReport(count, failures);
    }

    // A C++ exception escaped native code and the process is about to end: the cell keeps what it printed so far
    // and the native error replaces the note, so that the saved notebook names the exception.
    private static void SaveCrash(JsonObject cell, CollectingSink sink, CellError error, Action checkpoint)
    {
        sink.Error(error);
        cell["outputs"] = sink.Outputs.DeepClone();
        checkpoint();
    }

    private static JsonObject CrashNote(int count)
    {
        var text = $"The process ended while code cell {count} ran (a native crash or a kill): this cell's outputs and those of later cells are missing.";
        return new JsonObject
        {
            ["output_type"] = "error", ["ename"] = "ProcessEnded", ["evalue"] = text, ["traceback"] = new JsonArray(text),
        };
    }
}
