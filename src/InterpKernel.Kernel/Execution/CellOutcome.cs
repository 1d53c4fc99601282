namespace InterpKernel.Kernel.Execution;

/// <summary>How a cell ended.</summary>
/// <param name="Error">Why it failed, or null when it succeeded.</param>
public sealed record CellOutcome(CellError? Error)
{
    /// <summary>True when the cell ran to the end without an error.</summary>
    public bool Succeeded => Error is null;
}
