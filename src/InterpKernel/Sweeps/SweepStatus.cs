namespace InterpKernel.Sweeps;

/// <summary>Where a sweep's output folder stands.</summary>
/// <param name="SpecHash">The hash of the folder's spec.</param>
/// <param name="Analysis">Its analysis.</param>
/// <param name="Count">The shard count of the shards found (0 when none).</param>
/// <param name="Done">The finished shards of that count, by index.</param>
/// <param name="Missing">Shard indices of that count with no file yet.</param>
/// <param name="Problems">Files that cannot be merged (another spec, another shard count, duplicates, damaged), each named with why.</param>
/// <param name="Merged">Whether <c>result.json</c> exists.</param>
public sealed record SweepStatus(string SpecHash, string Analysis, int Count, IReadOnlyList<SweepShardInfo> Done, IReadOnlyList<int> Missing,
                                 IReadOnlyList<string> Problems, bool Merged)
{
    /// <summary>Whether every shard is there and nothing is in the way of a merge.</summary>
    public bool Complete => Count > 0 && Missing.Count == 0 && Problems.Count == 0;

    /// <summary>A few lines for a terminal.</summary>
    public override string ToString()
    {
        var lines = new List<string>
        {
            $"sweep {SpecHash[..12]} ({Analysis}): {Done.Count} of {Count} shards done" + (Merged ? ", merged" : ""),
        };
        foreach (var d in Done) lines.Add($"  shard {d.Index}: units {d.FirstUnit}..{d.EndUnit - 1} of {d.TotalUnits}, {d.Seconds:F1} s on {d.Host}");
        if (Missing.Count > 0) lines.Add($"  missing: {string.Join(", ", Missing)}");
        foreach (var p in Problems) lines.Add($"  problem: {p}");
        return string.Join(Environment.NewLine, lines);
    }
}
