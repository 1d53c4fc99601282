namespace InterpKernel.Sweeps;

/// <summary>Where a shard or a merge is: the sweep's output folder, the shard, and the checkpoint being worked on.</summary>
/// <param name="Directory">The sweep's output folder.</param>
/// <param name="ShardIndex">The shard (0 for a merge).</param>
/// <param name="ShardCount">How many shards the sweep has.</param>
/// <param name="Checkpoint">The checkpoint index, or −1 for the spec's model.</param>
public sealed record SweepContext(string Directory, int ShardIndex, int ShardCount, int Checkpoint)
{
    /// <summary>A suffix naming the checkpoint in file names: empty for the spec's model, <c>-ckpt3</c> otherwise.</summary>
    public string CheckpointSuffix => Checkpoint < 0 ? "" : $"-ckpt{Checkpoint}";
}
