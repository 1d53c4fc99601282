using System.Diagnostics;
using System.Text;

namespace InterpKernel.Kernel.Sweeps;

/// <summary>
/// Slurm scripts for a sweep: a job array whose task <c>i</c> runs shard <c>i</c> (requeued if its node fails),
/// and a merge job that starts once every task has succeeded (<c>--dependency=afterok</c>).
/// </summary>
public static class SlurmSubmission
{
    /// <summary>The array job's script.</summary>
    public static string ShardScript(ClusterJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var s = new StringBuilder();
        s.AppendLine("#!/bin/bash");
        s.AppendLine($"#SBATCH --job-name={job.Name}");
        s.AppendLine($"#SBATCH --array={job.ArraySpec()}");
        s.AppendLine("#SBATCH --ntasks=1");
        s.AppendLine("#SBATCH --requeue");
        s.AppendLine($"#SBATCH --output={Path.Combine(job.OutDirectory, "slurm", "shard-%a-%A.out")}");
        Resources(s, job);
        s.AppendLine("# One shard per array task; a shard already written is skipped, so requeued and resubmitted tasks only do what is missing.");
        s.AppendLine("set -euo pipefail");
        s.AppendLine($"exec {Words(job.Launch)} sweep shard {ClusterJob.ShellQuote(job.SpecFile)} --index \"$SLURM_ARRAY_TASK_ID\" --count {job.Tasks} --out {ClusterJob.ShellQuote(job.OutDirectory)}");
        return s.ToString();
    }

    /// <summary>The merge job's script (submitted with <c>--dependency=afterok:ARRAY_JOB</c>).</summary>
    public static string MergeScript(ClusterJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var s = new StringBuilder();
        s.AppendLine("#!/bin/bash");
        s.AppendLine($"#SBATCH --job-name={job.Name}-merge");
        s.AppendLine("#SBATCH --ntasks=1");
        s.AppendLine("#SBATCH --kill-on-invalid-dep=yes");
        s.AppendLine($"#SBATCH --output={Path.Combine(job.OutDirectory, "slurm", "merge-%j.out")}");
        if (job.Partition is not null) s.AppendLine($"#SBATCH --partition={job.Partition}");
        if (job.Time is not null) s.AppendLine($"#SBATCH --time={job.Time}");
        s.AppendLine("set -euo pipefail");
        s.AppendLine($"exec {Words(job.Launch)} sweep merge {ClusterJob.ShellQuote(job.OutDirectory)}");
        return s.ToString();
    }

    /// <summary>The two sbatch commands, as they would be run (the merge's dependency shown as <c>$ARRAY_JOB</c>).</summary>
    public static IReadOnlyList<string> Commands(string shardScript, string mergeScript) =>
    [
        $"ARRAY_JOB=$(sbatch --parsable {ClusterJob.ShellQuote(shardScript)})",
        $"sbatch --parsable --dependency=afterok:$ARRAY_JOB {ClusterJob.ShellQuote(mergeScript)}",
    ];

    /// <summary>Writes both scripts under <c>OUT/slurm</c>, submits them, and returns the array and merge job ids.</summary>
    public static (string ArrayJob, string MergeJob) Submit(ClusterJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        string folder = Path.Combine(job.OutDirectory, "slurm");
        Directory.CreateDirectory(folder);
        string shard = Path.Combine(folder, "shard.sbatch"), merge = Path.Combine(folder, "merge.sbatch");
        File.WriteAllText(shard, ShardScript(job));
        File.WriteAllText(merge, MergeScript(job));
        string array = Sbatch(["--parsable", shard]);
        string merged = Sbatch(["--parsable", $"--dependency=afterok:{array}", merge]);
        File.AppendAllText(Path.Combine(folder, "jobs.txt"), $"{DateTime.UtcNow:O} array {array} ({job.ArraySpec()}) merge {merged}{Environment.NewLine}");
        return (array, merged);
    }

    static void Resources(StringBuilder s, ClusterJob job)
    {
        if (job.Partition is not null) s.AppendLine($"#SBATCH --partition={job.Partition}");
        if (job.GpusPerTask is { } g) s.AppendLine($"#SBATCH --gpus-per-task={g}");
        if (job.CpusPerTask is { } c) s.AppendLine($"#SBATCH --cpus-per-task={c}");
        if (job.Time is not null) s.AppendLine($"#SBATCH --time={job.Time}");
    }

    static string Words(IEnumerable<string> words) => string.Join(" ", words.Select(ClusterJob.ShellQuote));

    static string Sbatch(IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo("sbatch") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("sbatch did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("sbatch is not on PATH: run sweep submit on a Slurm login node, or use --dry-run to see the scripts.", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"sbatch {string.Join(" ", arguments)} failed ({process.ExitCode}): {stderr.Trim()}");
            return stdout.Result.Trim().Split(';')[0];
        }
    }
}
