using System.Diagnostics;
using InterpKernel.Kernel.Sweeps;

namespace InterpKernel.Sweeps.Tests;

public class ClusterJobTests
{
    private static ClusterJob Job(int tasks = 4) => new("/data/specs/scan.json", "/data/out/scan", tasks, "sweep-1234abcd", ["interp-kernel"], Enumerable.Range(0, tasks).ToList())
    {
        Image = "registry.example/interp-kernel:1.0", VolumeClaim = "sweep-data", GpusPerTask = 1, Partition = "gpu", Time = "01:00:00",
    };

    [Fact]
    public void The_Slurm_array_runs_one_shard_per_task_with_requeue_and_the_merge_waits_for_success()
    {
        var shard = SlurmSubmission.ShardScript(Job());
        Assert.Contains("#SBATCH --array=0-3", shard);
        Assert.Contains("#SBATCH --requeue", shard);
        Assert.Contains("#SBATCH --gpus-per-task=1", shard);
        Assert.Contains("#SBATCH --partition=gpu", shard);
        Assert.Contains("#SBATCH --time=01:00:00", shard);
        Assert.Contains("exec interp-kernel sweep shard /data/specs/scan.json --index \"$SLURM_ARRAY_TASK_ID\" --count 4 --out /data/out/scan", shard);
        var merge = SlurmSubmission.MergeScript(Job());
        Assert.Contains("exec interp-kernel sweep merge /data/out/scan", merge);
        Assert.Contains("--kill-on-invalid-dep=yes", merge);
        Assert.Contains("--dependency=afterok:$ARRAY_JOB", SlurmSubmission.Commands("a.sbatch", "m.sbatch")[1]);
        Assert.Equal("1,3", (Job() with { Indices = [1, 3] }).ArraySpec());
        Assert.Equal("'it'\\''s here'", ClusterJob.ShellQuote("it's here"));
    }

    [Fact]
    public void The_Kubernetes_manifests_are_an_indexed_job_over_the_completion_index_and_a_merge_job()
    {
        var yaml = KubernetesManifests.Render(Job());
        string folder = TestPaths.NewFolder("k8s");
        string file = Path.Combine(folder, "sweep.yaml");
        File.WriteAllText(file, yaml);
        // Parse with PyYAML when it is there (Debian's python3-yaml); the assertions below hold either way.
        const string check = """
            import json, sys, yaml
            docs = list(yaml.safe_load_all(open(sys.argv[1])))
            print(json.dumps(docs))
            """;
        var parsed = Python(check, file);
        if (parsed is not null)
        {
            var docs = System.Text.Json.Nodes.JsonNode.Parse(parsed)!.AsArray();
            Assert.Equal(2, docs.Count);
            var shards = docs[0]!;
            Assert.Equal("Job", shards["kind"]!.GetValue<string>());
            Assert.Equal("Indexed", shards["spec"]!["completionMode"]!.GetValue<string>());
            Assert.Equal(4, shards["spec"]!["completions"]!.GetValue<int>());
            var container = shards["spec"]!["template"]!["spec"]!["containers"]![0]!;
            var command = container["command"]!.AsArray().Select(w => w!.GetValue<string>()).ToList();
            Assert.Equal(["interp-kernel", "sweep", "shard", "/data/specs/scan.json", "--index", "$(JOB_COMPLETION_INDEX)", "--count", "4", "--out", "/data/out/scan"], command);
            Assert.Equal(1, container["resources"]!["limits"]!["nvidia.com/gpu"]!.GetValue<int>());
            Assert.Equal("sweep-data", shards["spec"]!["template"]!["spec"]!["volumes"]![0]!["persistentVolumeClaim"]!["claimName"]!.GetValue<string>());
            Assert.Equal("Never", shards["spec"]!["template"]!["spec"]!["restartPolicy"]!.GetValue<string>());
            var merge = docs[1]!;
            Assert.Equal("Job", merge["kind"]!.GetValue<string>());
            Assert.Null(merge["spec"]!["completionMode"]);
            var mergeCommand = merge["spec"]!["template"]!["spec"]!["containers"]![0]!["command"]!.AsArray().Select(w => w!.GetValue<string>()).ToList();
            Assert.Equal(["interp-kernel", "sweep", "merge", "/data/out/scan", "--wait", "86400"], mergeCommand);
        }
        Assert.Contains("completionMode: Indexed", yaml);
        Assert.Contains("\"$(JOB_COMPLETION_INDEX)\"", yaml);
        Assert.Contains("Give the container image with --image", Assert.Throws<ArgumentException>(() => KubernetesManifests.Render(Job() with { Image = null })).Message);
    }

    /// <summary>Runs a Python snippet with the system python3; null when python3 or PyYAML is missing.</summary>
    private static string? Python(string code, string argument)
    {
        try
        {
            var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(code);
            start.ArgumentList.Add(argument);
            using var p = Process.Start(start)!;
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
