namespace InterpKernel.Sweeps;

/// <summary>How a sweep's work is cut into units and how units are dealt to shards.</summary>
public static class SweepPlan
{
    /// <summary>Default size of a text unit: 64 KiB, cut at the next line end.</summary>
    public const int DefaultUnitBytes = 64 * 1024;

    /// <summary>Every unit of <paramref name="spec"/>: the analysis's units, repeated per checkpoint, numbered from 0.</summary>
    public static IReadOnlyList<WorkUnit> Units(SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var perModel = SweepAnalyses.Get(spec.Analysis).Plan(spec);
        var units = new List<WorkUnit>();
        foreach (var (checkpoint, _) in spec.Models())
            foreach (var u in perModel)
                units.Add(u with { Index = units.Count, Checkpoint = checkpoint });
        return units;
    }

    /// <summary>
    /// The units of shard <paramref name="index"/> of <paramref name="count"/>: a contiguous run, the first
    /// <c>units % count</c> shards one longer. The same for every task that asks, and together the shards hold every unit once.
    /// </summary>
    public static IReadOnlyList<WorkUnit> Shard(IReadOnlyList<WorkUnit> units, int index, int count)
    {
        ArgumentNullException.ThrowIfNull(units);
        if (count < 1) throw new ArgumentException($"The shard count must be at least 1, got {count}.", nameof(count));
        if (index < 0 || index >= count) throw new ArgumentException($"Shard index {index} is outside 0..{count - 1}: give 0 <= index < count.", nameof(index));
        var (start, end) = ShardRange(units.Count, index, count);
        return units.Skip(start).Take(end - start).ToList();
    }

    /// <summary>The unit range <c>[start, end)</c> of shard <paramref name="index"/> of <paramref name="count"/> over <paramref name="units"/> units.</summary>
    public static (int Start, int End) ShardRange(int units, int index, int count)
    {
        if (count < 1) throw new ArgumentException($"The shard count must be at least 1, got {count}.", nameof(count));
        if (index < 0 || index >= count) throw new ArgumentException($"Shard index {index} is outside 0..{count - 1}: give 0 <= index < count.", nameof(index));
        int size = units / count, extra = units % count;
        int start = index * size + Math.Min(index, extra);
        return (start, start + size + (index < extra ? 1 : 0));
    }

    /// <summary>
    /// The checks every analysis that reads <see cref="SweepInputs.Text"/> in units makes: a positive
    /// <c>unitBytes</c> option and at least one text file or glob.
    /// </summary>
    public static void ValidateTextInputs(string analysis, SweepSpec spec, SweepOptions options, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        options.Int("unitBytes", DefaultUnitBytes, problems, min: 1);
        if (spec.Inputs.Text is not { Count: > 0 }) problems.Add($"{analysis} reads inputs.text: give text files or globs");
    }

    /// <summary>The spec's text files cut into units of its <c>unitBytes</c> option (65536 by default).</summary>
    public static IReadOnlyList<WorkUnit> TextUnits(SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return TextUnits(spec.TextFiles(), new SweepOptions(spec.Options).Int("unitBytes", DefaultUnitBytes));
    }

    /// <summary>Text files cut into units of about <paramref name="unitBytes"/> bytes, each ending at a line end.</summary>
    public static IReadOnlyList<WorkUnit> TextUnits(IReadOnlyList<string> files, int unitBytes = DefaultUnitBytes)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (unitBytes < 1) throw new ArgumentException($"unitBytes must be positive, got {unitBytes}.", nameof(unitBytes));
        var units = new List<WorkUnit>();
        var buffer = new byte[1 << 16];
        foreach (var file in files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            long start = 0, at = 0;
            int line = 1, startLine = 1;
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                for (int i = 0; i < read; i++)
                {
                    at++;
                    if (buffer[i] != (byte)'\n') continue;
                    line++;
                    if (at - start >= unitBytes)
                    {
                        units.Add(new WorkUnit(units.Count, -1, file, start, at, startLine));
                        start = at;
                        startLine = line;
                    }
                }
            }
            if (at > start) units.Add(new WorkUnit(units.Count, -1, file, start, at, startLine));
        }
        return units;
    }

    /// <summary><paramref name="pairs"/> prompt pairs of a file cut into units of <paramref name="pairsPerUnit"/>.</summary>
    public static IReadOnlyList<WorkUnit> PairUnits(string file, int pairs, int pairsPerUnit = 1)
    {
        if (pairsPerUnit < 1) throw new ArgumentException($"pairsPerUnit must be positive, got {pairsPerUnit}.", nameof(pairsPerUnit));
        var units = new List<WorkUnit>();
        for (int start = 0; start < pairs; start += pairsPerUnit)
            units.Add(new WorkUnit(units.Count, -1, file, start, Math.Min(pairs, start + pairsPerUnit), start + 1));
        return units;
    }
}
