using System.CommandLine;
using InterpKernel.Kernel.Installation;
using InterpKernel.Sweeps;

namespace InterpKernel.Kernel.Sweeps;

/// <summary>
/// <c>interp-kernel sweep run|shard|merge|status|submit</c>: runs a sweep spec in one process, as one task of many, merges
/// the tasks' shards, reports progress, and writes (and submits) Slurm or Kubernetes jobs for it.
/// </summary>
public static class SweepCommand
{
    /// <summary>The <c>sweep</c> command with its subcommands.</summary>
    public static Command Create()
    {
        var sweep = new Command("sweep", "Runs an analysis over inputs too large for one process, as shards on a cluster (see README, Running on a cluster).");
        sweep.Subcommands.Add(Run());
        sweep.Subcommands.Add(Shard());
        sweep.Subcommands.Add(Merge());
        sweep.Subcommands.Add(Status());
        sweep.Subcommands.Add(SweepSubmitCommand.Create());
        return sweep;
    }

    internal static Argument<FileInfo> SpecArgument() => new("spec") { Description = "The sweep spec (JSON)." };

    internal static Option<DirectoryInfo> OutOption(bool required) => new("--out", "-o")
    {
        Description = "The sweep's output folder (shards, result.json).",
        Required = required,
    };

    /// <summary>Runs <paramref name="action"/>, turning the errors a user can fix into a message and exit code 2.</summary>
    internal static int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }

    static Command Run()
    {
        var spec = SpecArgument();
        var output = OutOption(required: true);
        var command = new Command("run", "Runs the whole sweep in this process and merges it into OUT/result.json.") { spec, output };
        command.SetAction(parse => Guard(() =>
        {
            var s = SweepSpec.Load(parse.GetValue(spec)!.FullName);
            Sweep.Run(s, parse.GetValue(output)!.FullName, Console.Out);
            return 0;
        }));
        return command;
    }

    static Command Shard()
    {
        var spec = SpecArgument();
        var output = OutOption(required: true);
        var index = new Option<int?>("--index") { Description = "This task's shard, 0..count-1 (default: $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX)." };
        var count = new Option<int>("--count") { Description = "How many shards the sweep is cut into.", Required = true };
        var command = new Command("shard", "Runs one shard of a sweep (one task of a job array); a shard already written is skipped.") { spec, index, count, output };
        command.SetAction(parse => Guard(() =>
        {
            int i = parse.GetValue(index) ?? IndexFromEnvironment();
            UseSchedulerCpus();
            var s = SweepSpec.Load(parse.GetValue(spec)!.FullName);
            Sweep.RunShard(s, i, parse.GetValue(count), parse.GetValue(output)!.FullName, Console.Out);
            return 0;
        }));
        return command;
    }

    static Command Merge()
    {
        var directory = new Argument<DirectoryInfo>("dir") { Description = "The sweep's output folder." };
        var wait = new Option<int>("--wait") { Description = "Wait up to this many seconds for missing shards before merging (for schedulers without job dependencies)." };
        var command = new Command("merge", "Merges the shards of a sweep into DIR/result.json; refuses missing, duplicated or foreign shards.") { directory, wait };
        command.SetAction(parse => Guard(() =>
        {
            string dir = parse.GetValue(directory)!.FullName;
            var deadline = DateTime.UtcNow.AddSeconds(parse.GetValue(wait));
            // Under Kubernetes the merge pod may start before any shard pod has claimed the folder.
            while (DateTime.UtcNow < deadline && !(File.Exists(SweepFiles.SpecFile(dir)) && Sweep.Status(dir).Complete)) Thread.Sleep(TimeSpan.FromSeconds(5));
            Sweep.Merge(dir, Console.Out);
            return 0;
        }));
        return command;
    }

    static Command Status()
    {
        var directory = new Argument<DirectoryInfo>("dir") { Description = "The sweep's output folder." };
        var command = new Command("status", "Shows which shards of a sweep are done and which are missing or in the way.") { directory };
        command.SetAction(parse => Guard(() =>
        {
            var status = Sweep.Status(parse.GetValue(directory)!.FullName);
            Console.WriteLine(status);
            return status.Problems.Count == 0 ? 0 : 1;
        }));
        return command;
    }

    // Under Slurm a task may use the CPUs it was given, not every core of the node it shares with other tasks.
    static void UseSchedulerCpus()
    {
        foreach (var name in new[] { "SLURM_CPUS_PER_TASK", "SLURM_CPUS_ON_NODE" })
        {
            if (int.TryParse(Environment.GetEnvironmentVariable(name), out var cpus) && cpus > 0)
            {
                TorchSharp.torch.set_num_threads(cpus);
                return;
            }
        }
    }

    static int IndexFromEnvironment()
    {
        foreach (var name in new[] { "SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX" })
            if (int.TryParse(Environment.GetEnvironmentVariable(name), out var i)) return i;
        throw new ArgumentException("Give --index, or run as a Slurm array task ($SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job pod ($JOB_COMPLETION_INDEX).");
    }

    /// <summary>The command that runs this same interp-kernel on a node.</summary>
    internal static IReadOnlyList<string> ThisProgram() => KernelSpec.LaunchCommand();
}
