namespace InterpKernel.Sweeps;

/// <summary>
/// One indivisible piece of a sweep's work: a byte range of a text file or a range of prompt pairs, on one checkpoint.
/// A sweep is the ordered list of its units; a shard is a contiguous run of them, so merged shards see the units in
/// the order one process would.
/// </summary>
/// <param name="Index">Position in the sweep, from 0.</param>
/// <param name="Checkpoint">Index into <see cref="SweepInputs.Checkpoints"/>, or −1 for the spec's model.</param>
/// <param name="Path">The text or JSONL file read (absolute).</param>
/// <param name="Start">First byte (text) or first pair (pairs).</param>
/// <param name="End">Byte (text) or pair (pairs) after the last.</param>
/// <param name="FirstLine">1-based line number at <paramref name="Start"/> (text), else the 1-based line of the first pair.</param>
public sealed record WorkUnit(int Index, int Checkpoint, string Path, long Start, long End, int FirstLine)
{
    /// <inheritdoc />
    public override string ToString() => $"unit {Index}: {System.IO.Path.GetFileName(Path)} [{Start}, {End})" + (Checkpoint >= 0 ? $" on checkpoint {Checkpoint}" : "");
}
