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
    public static async Task<RunReport> RunAsync(JsonObject notebook, CellEngine engine, bool allowErrors, CancellationToken cancellationToken = default)
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
            var sink = new CollectingSink(count);
            var outcome = await engine.ExecuteAsync(source, sink, cancellationToken).ConfigureAwait(false);
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
}
