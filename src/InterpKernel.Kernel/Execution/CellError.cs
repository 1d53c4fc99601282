namespace InterpKernel.Kernel.Execution;

/// <summary>Why a cell failed, in Jupyter's terms.</summary>
/// <param name="Name">The error name (<c>ename</c>): <c>CompilationError</c> or the exception type.</param>
/// <param name="Value">The error message (<c>evalue</c>).</param>
/// <param name="Traceback">Lines that explain where it failed.</param>
public sealed record CellError(string Name, string Value, IReadOnlyList<string> Traceback);
