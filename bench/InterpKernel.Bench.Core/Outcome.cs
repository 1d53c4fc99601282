namespace InterpKernel.Bench.Core;

/// <summary>A child process's measurement, or why there is none.</summary>
sealed record Outcome<T>(T? Value, string? Error);
