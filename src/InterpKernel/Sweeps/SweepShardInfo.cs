namespace InterpKernel.Sweeps;

/// <summary>The header of one shard file: which sweep and which units it holds, and how it ran.</summary>
/// <param name="File">The shard file.</param>
/// <param name="SpecHash">The hash of the spec it ran.</param>
/// <param name="Analysis">The analysis it ran.</param>
/// <param name="Index">Its shard index.</param>
/// <param name="Count">The number of shards it was one of.</param>
/// <param name="FirstUnit">Its first unit.</param>
/// <param name="EndUnit">The unit after its last.</param>
/// <param name="TotalUnits">Units in the whole sweep.</param>
/// <param name="Seconds">Wall time of the shard.</param>
/// <param name="Host">The machine it ran on.</param>
public sealed record SweepShardInfo(string File, string SpecHash, string Analysis, int Index, int Count, int FirstUnit, int EndUnit, int TotalUnits, double Seconds, string Host);
