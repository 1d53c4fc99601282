namespace InterpKernel.Kernel.Execution;

/// <summary>What belongs to the cell that is running now.</summary>
internal sealed record CellContext(IExecutionSink Sink, TextWriter Out, TextWriter Error, CancellationToken Token);
