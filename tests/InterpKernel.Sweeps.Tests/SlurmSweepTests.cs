using System.Text.Json.Nodes;

namespace InterpKernel.Sweeps.Tests;

/// <summary>The single-process results the Slurm runs are compared with, computed once.</summary>
public sealed class SlurmReferences
{
    public SlurmReferences()
    {
        Folder = TestPaths.NewFolder("slurm");
        NeuronSpec = TestPaths.WriteSpec(Folder, "neurons.json",
            $"{{ \"model\": {{ \"path\": {TestPaths.Json(TestPaths.Model)} }}, \"analysis\": \"neuron-scan\", " +
            $"\"inputs\": {{ \"text\": [{TestPaths.Json(Path.Combine(TestPaths.RepoRoot, "data", "text", "*.txt"))}] }}, " +
            "\"options\": { \"layer\": 1, \"neurons\": [0, 1, 2, 3], \"histogramRange\": [-0.5, 4], \"topK\": 10 } }");
        PatchingSpec = TestPaths.WriteSpec(Folder, "patching.json",
            $"{{ \"model\": {{ \"path\": {TestPaths.Json(TestPaths.Model)} }}, \"analysis\": \"patching\", " +
            $"\"inputs\": {{ \"pairs\": {TestPaths.Json(TestPaths.Fixture("pairs.jsonl"))} }}, \"options\": {{ \"target\": \"heads\" }} }}");
        Neurons = new Lazy<JsonObject>(() => Sweep.Run(SweepSpec.Load(NeuronSpec), Path.Combine(Folder, "neurons-one")));
        Patching = new Lazy<JsonObject>(() => Sweep.Run(SweepSpec.Load(PatchingSpec), Path.Combine(Folder, "patching-one")));
    }

    public string Folder { get; }

    public string NeuronSpec { get; }

    public string PatchingSpec { get; }

    public Lazy<JsonObject> Neurons { get; }

    public Lazy<JsonObject> Patching { get; }
}

[Collection("slurm")]
public class SlurmSweepTests(SlurmReferences references) : IClassFixture<SlurmReferences>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(6);

    private static JsonObject Result(string outDirectory) => JsonNode.Parse(File.ReadAllText(SweepFiles.ResultFile(outDirectory)))!.AsObject();

    [SlurmFact]
    public void A_four_task_neuron_scan_array_and_its_merge_job_equal_sweep_run()
    {
        string output = Path.Combine(references.Folder, "neurons-slurm");
        var (array, merge) = SlurmCluster.Submit(references.NeuronSpec, output, 4);
        var expected = references.Neurons.Value; // computed while the array runs
        SlurmCluster.WaitFor(Limit, output, array, merge);
        Assert.True(File.Exists(SweepFiles.ResultFile(output)), $"the merge job wrote no result: {SlurmCluster.Run("cat", Directory.GetFiles(Path.Combine(output, "slurm"), "merge-*.out")).Output}");
        var actual = Result(output);
        Assert.Equal(4, actual["shards"]!.GetValue<int>());
        SameResult.NeuronScan(expected, actual);
    }

    [SlurmFact]
    public void A_four_task_patching_array_over_40_pairs_equals_sweep_run()
    {
        string output = Path.Combine(references.Folder, "patching-slurm");
        var (array, merge) = SlurmCluster.Submit(references.PatchingSpec, output, 4);
        var expected = references.Patching.Value;
        SlurmCluster.WaitFor(Limit, output, array, merge);
        SameResult.Patching(expected, Result(output), 40);
    }

    [SlurmFact]
    public void A_task_cancelled_mid_run_is_resubmitted_alone_and_the_merge_is_unchanged()
    {
        string output = Path.Combine(references.Folder, "patching-cancel");
        var (array, merge) = SlurmCluster.Submit(references.PatchingSpec, output, 4);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!SlurmCluster.Queue(array).Any(t => t.Id == $"{array}_1" && t.State == "R"))
        {
            Assert.True(clock.Elapsed < Limit, "task 1 never started");
            Thread.Sleep(100);
        }
        Thread.Sleep(500);
        SlurmCluster.Run("scancel", $"{array}_1");
        SlurmCluster.WaitFor(Limit, output, array, merge);

        var status = Sweep.Status(output);
        Assert.Equal([1], status.Missing);
        Assert.False(status.Merged); // the merge job never ran: its dependency failed
        Assert.Contains("missing: 1", SlurmCluster.Run("dotnet", TestPaths.KernelDll, "sweep", "status", output).Output);

        var (again, mergeAgain) = SlurmCluster.Submit(references.PatchingSpec, output, 4);
        Assert.Contains("shard-1-", string.Join(" ", WaitAndList(output, again, mergeAgain)));
        SameResult.Patching(references.Patching.Value, Result(output), 40);
    }

    private static IEnumerable<string> WaitAndList(string output, string array, string merge)
    {
        SlurmCluster.WaitFor(Limit, output, array, merge);
        return Directory.GetFiles(Path.Combine(output, "slurm"), $"shard-*-{array}.out").Select(Path.GetFileName)!;
    }
}
