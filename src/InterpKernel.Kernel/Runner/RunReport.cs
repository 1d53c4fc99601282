namespace InterpKernel.Kernel.Runner;

/// <summary>How a headless run went.</summary>
/// <param name="CodeCellsRun">How many code cells were executed.</param>
/// <param name="Failures">The failing cells: their index among all cells (zero-based) and what failed.</param>
public sealed record RunReport(int CodeCellsRun, IReadOnlyList<(int CellIndex, Execution.CellError Error)> Failures)
{
    /// <summary>True when no cell failed.</summary>
    public bool Succeeded => Failures.Count == 0;
}
