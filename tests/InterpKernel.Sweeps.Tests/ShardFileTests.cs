namespace InterpKernel.Sweeps.Tests;

public class ShardFileTests
{
    static ShardFileTests() => SweepAnalyses.Register(new ByteCountSweep());

    private static SweepSpec Spec(string folder, int unitBytes = 2048) => SweepSpec.Load(TestPaths.WriteSpec(folder, $"count{unitBytes}.json",
        $"{{ \"model\": {TestPaths.Json(TestPaths.Model)}, \"analysis\": \"test-byte-count\", \"inputs\": {{ \"text\": [{TestPaths.Json(TestPaths.Text("fortunes.txt"))}] }}, \"options\": {{ \"unitBytes\": {unitBytes} }} }}"));

    [Fact]
    public void Shards_merge_into_what_one_run_gives_and_a_registered_analysis_takes_part()
    {
        string folder = TestPaths.NewFolder("shards");
        var spec = Spec(folder);
        string one = Path.Combine(folder, "one"), three = Path.Combine(folder, "three");
        var single = Sweep.Run(spec, one);
        for (int i = 0; i < 3; i++) Sweep.RunShard(spec, i, 3, three);
        var merged = Sweep.Merge(three);
        Assert.Equal(single["checkpoints"]![0]!["result"]!.ToJsonString(), merged["checkpoints"]![0]!["result"]!.ToJsonString());
        Assert.Equal(new FileInfo(TestPaths.Text("fortunes.txt")).Length, merged["checkpoints"]![0]!["result"]!["bytes"]!.GetValue<long>());
        Assert.Empty(Directory.GetFiles(three, "*.tmp*", SearchOption.AllDirectories));
        Assert.True(Sweep.Status(three).Complete);
    }

    [Fact]
    public void A_finished_shard_is_not_run_again()
    {
        string folder = TestPaths.NewFolder("rerun");
        var spec = Spec(folder);
        string output = Path.Combine(folder, "out");
        var first = Sweep.RunShard(spec, 1, 2, output);
        var written = File.GetLastWriteTimeUtc(first.File);
        var log = new StringWriter();
        var second = Sweep.RunShard(spec, 1, 2, output, log);
        Assert.Equal(first.Seconds, second.Seconds);
        Assert.Equal(written, File.GetLastWriteTimeUtc(first.File));
        Assert.Contains("already done", log.ToString());
    }

    [Fact]
    public void Merge_refuses_missing_duplicated_foreign_and_mixed_shards_and_names_them()
    {
        string folder = TestPaths.NewFolder("refuse");
        var spec = Spec(folder);
        string output = Path.Combine(folder, "out");
        Sweep.RunShard(spec, 0, 3, output);
        Sweep.RunShard(spec, 2, 3, output);
        var missing = Assert.Throws<InvalidOperationException>(() => Sweep.Merge(output));
        Assert.Contains("missing shards 1 of 3", missing.Message);
        Assert.Contains("shard-00001-of-00003.json", missing.Message);

        Sweep.RunShard(spec, 1, 3, output);
        string shards = SweepFiles.ShardFolder(output);
        File.Copy(Path.Combine(shards, "shard-00001-of-00003.json"), Path.Combine(shards, "shard-00001-of-00003-copy.json"));
        var duplicated = Assert.Throws<InvalidOperationException>(() => Sweep.Merge(output));
        Assert.Contains("shard 1 of 3 is duplicated: shard-00001-of-00003-copy.json and shard-00001-of-00003.json", duplicated.Message);
        File.Delete(Path.Combine(shards, "shard-00001-of-00003-copy.json"));

        string other = Path.Combine(folder, "other");
        var foreignInfo = Sweep.RunShard(Spec(folder, unitBytes: 4096), 1, 3, other);
        File.Copy(foreignInfo.File, Path.Combine(shards, "stray.json"));
        var foreign = Assert.Throws<InvalidOperationException>(() => Sweep.Merge(output));
        Assert.Contains("stray.json is a foreign shard", foreign.Message);
        File.Delete(Path.Combine(shards, "stray.json"));

        Sweep.RunShard(spec, 0, 2, output);
        var mixed = Assert.Throws<InvalidOperationException>(() => Sweep.Merge(output));
        Assert.Contains("shard-00000-of-00002.json is shard 0 of 2, but the other shards are of 3", mixed.Message);
        File.Delete(Path.Combine(shards, "shard-00000-of-00002.json"));

        Sweep.Merge(output);
        Assert.True(Sweep.Status(output).Merged);
    }

    [Fact]
    public void With_checkpoints_the_units_repeat_per_checkpoint_and_the_merge_gives_one_result_each()
    {
        string folder = TestPaths.NewFolder("ckpt");
        string small = Path.Combine(folder, "small.txt");
        File.WriteAllLines(small, File.ReadLines(TestPaths.Text("fortunes.txt")).Take(200));
        var spec = SweepSpec.Load(TestPaths.WriteSpec(folder, "ckpt.json",
            $"{{ \"model\": {TestPaths.Json(TestPaths.Model)}, \"analysis\": \"test-byte-count\", \"inputs\": {{ \"text\": [{TestPaths.Json(small)}], " +
            $"\"checkpoints\": [{TestPaths.Json(TestPaths.Model)}, {TestPaths.Json(Path.Combine(TestPaths.RepoRoot, "models", "kjv-gpt2-4l"))}] }}, \"options\": {{ \"unitBytes\": 1024 }} }}"));
        var units = SweepPlan.Units(spec);
        Assert.Equal(units.Count / 2, units.Count(u => u.Checkpoint == 0));
        Assert.All(SweepPlan.Shard(units, 0, 2), u => Assert.Equal(0, u.Checkpoint));
        string output = Path.Combine(folder, "out");
        Sweep.RunShard(spec, 0, 2, output);
        Sweep.RunShard(spec, 1, 2, output);
        var merged = Sweep.Merge(output)["checkpoints"]!.AsArray();
        Assert.Equal(2, merged.Count);
        Assert.EndsWith("kjv-gpt2-4l", merged[1]!["model"]!.GetValue<string>());
        Assert.All(merged, m => Assert.Equal(new FileInfo(small).Length, m!["result"]!["bytes"]!.GetValue<long>()));
    }

    [Fact]
    public void A_folder_holds_one_spec()
    {
        string folder = TestPaths.NewFolder("claim");
        string output = Path.Combine(folder, "out");
        Sweep.RunShard(Spec(folder), 0, 2, output);
        var e = Assert.Throws<ArgumentException>(() => Sweep.RunShard(Spec(folder, unitBytes: 4096), 1, 2, output));
        Assert.Contains("holds the sweep of another spec", e.Message);
    }
}
