namespace InterpKernel.Kernel.History;

/// <summary>One executed cell in the history: its session, its execution count in that session, and its code.</summary>
/// <param name="Session">The kernel session, numbered from 1.</param>
/// <param name="Line">The execution count within the session.</param>
/// <param name="Input">The cell's code.</param>
public sealed record HistoryEntry(int Session, int Line, string Input);
