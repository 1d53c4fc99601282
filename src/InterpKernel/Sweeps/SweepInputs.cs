namespace InterpKernel.Sweeps;

/// <summary>What a sweep reads. Paths are relative to the spec file; which inputs an analysis needs, it says.</summary>
/// <param name="Text">Text files or globs (<c>data/text/*.txt</c>), read as UTF-8 lines; files are taken in name order.</param>
/// <param name="Pairs">A JSONL file of prompt pairs, one object a line: <c>clean</c>, <c>corrupt</c>, <c>answer</c>, <c>wrong</c>.</param>
/// <param name="Checkpoints">Checkpoint folders or ids: the analysis runs on each of them instead of on the spec's model path.</param>
public sealed record SweepInputs(IReadOnlyList<string>? Text = null, string? Pairs = null, IReadOnlyList<string>? Checkpoints = null);
