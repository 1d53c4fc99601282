namespace InterpKernel.Kernel.Execution;

/// <summary>A run of a cell: either one magic command line or a block of C#.</summary>
/// <param name="IsMagic">True for a <c>#!</c> magic line.</param>
/// <param name="Text">The magic line, or the C# code.</param>
/// <param name="FirstLine">The zero-based line of the cell where this segment starts.</param>
public sealed record CellSegment(bool IsMagic, string Text, int FirstLine);
