using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Scripting;

namespace InterpKernel.Kernel.Execution;

/// <summary>
/// Compiles and loads the submission a cell runs, once. Emitting reports every error of the code, so a cell that
/// compiles is bound and emitted a single time; only a failing cell pays for a second look, which reports the
/// errors of the code as written rather than of its rewritten form.
/// </summary>
internal static class SubmissionCompiler
{
    /// <summary>Emits and loads <paramref name="toRun"/>, so that running it compiles nothing more.</summary>
    /// <param name="toRun">The submission that will run: the cell as written or rewritten.</param>
    /// <param name="asWritten">The submission of the cell as written, whose errors are the ones reported.</param>
    /// <param name="token">Cancels the compilation.</param>
    /// <exception cref="CellCompilationException">The code does not compile.</exception>
    public static void Prepare(Script<object> toRun, Script<object> asWritten, CancellationToken token)
    {
        try
        {
            toRun.CreateDelegate(token);
        }
        catch (CompilationErrorException e)
        {
            var errors = ReferenceEquals(toRun, asWritten) ? [] : Errors(asWritten.GetCompilation().GetDiagnostics(token));
            // Errors only the rewritten form has (a rewrite it could not take) are still shown rather than lost.
            throw new CellCompilationException(errors.Count > 0 ? errors : Errors(e.Diagnostics));
        }
    }

    private static List<Diagnostic> Errors(IEnumerable<Diagnostic> diagnostics) =>
        diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
}
