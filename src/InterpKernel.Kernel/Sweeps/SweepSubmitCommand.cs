using System.CommandLine;
using InterpKernel.Sweeps;

namespace InterpKernel.Kernel.Sweeps;

/// <summary><c>sweep submit</c>: writes a Slurm job array and merge job (and submits them), or Kubernetes Jobs for kubectl.</summary>
public static class SweepSubmitCommand
{
    /// <summary>The <c>submit</c> subcommand.</summary>
    public static Command Create()
    {
        var spec = SweepCommand.SpecArgument();
        var output = SweepCommand.OutOption(required: false);
        var slurm = new Option<bool>("--slurm") { Description = "Submit a Slurm job array (sbatch --array) and a merge job that depends on it." };
        var kubernetes = new Option<bool>("--kubernetes") { Description = "Write an Indexed Job and a merge Job to OUT/kubernetes/sweep.yaml for kubectl apply." };
        var tasks = new Option<int>("--tasks") { Description = "How many tasks (shards); one per GPU when each task has one.", Required = true };
        var partition = new Option<string?>("--partition") { Description = "Slurm partition." };
        var gpus = new Option<int?>("--gpus-per-task") { Description = "GPUs per task (Slurm --gpus-per-task, Kubernetes nvidia.com/gpu)." };
        var cpus = new Option<int?>("--cpus-per-task") { Description = "CPUs per task (Slurm)." };
        var time = new Option<string?>("--time") { Description = "Slurm time limit, e.g. 02:00:00." };
        var image = new Option<string?>("--image") { Description = "Kubernetes: the container image with interp-kernel." };
        var claim = new Option<string?>("--volume-claim") { Description = "Kubernetes: the persistent volume claim holding spec, inputs and output." };
        var mount = new Option<string>("--mount-path") { Description = "Kubernetes: where the volume is mounted.", DefaultValueFactory = _ => "/data" };
        var ns = new Option<string?>("--namespace") { Description = "Kubernetes namespace." };
        var launch = new Option<string?>("--launch") { Description = "The command that runs interp-kernel on the nodes (default: this program for Slurm, 'interp-kernel' for Kubernetes)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would be written and submitted, and do nothing." };
        var command = new Command("submit", "Submits a sweep to Slurm, or writes it as Kubernetes Jobs.")
        {
            spec, output, slurm, kubernetes, tasks, partition, gpus, cpus, time, image, claim, mount, ns, launch, dryRun,
        };
        command.SetAction(parse => SweepCommand.Guard(() =>
        {
            bool useSlurm = parse.GetValue(slurm), useKubernetes = parse.GetValue(kubernetes);
            if (useSlurm == useKubernetes) throw new ArgumentException("Give exactly one of --slurm and --kubernetes.");
            int n = parse.GetValue(tasks);
            if (n < 1) throw new ArgumentException($"--tasks must be at least 1, got {n}.");
            var specFile = parse.GetValue(spec)!.FullName;
            var s = SweepSpec.Load(specFile);
            string outDir = parse.GetValue(output)?.FullName ?? Path.Combine(Path.GetDirectoryName(specFile)!, Path.GetFileNameWithoutExtension(specFile) + ".sweep");
            var indices = Pending(outDir, s, n);
            if (indices.Count == 0)
            {
                Console.WriteLine($"Every shard of {n} is already in {outDir}: run 'sweep merge {outDir}'.");
                return 0;
            }
            string? launchText = parse.GetValue(launch);
            IReadOnlyList<string> words = launchText is not null ? launchText.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                : useKubernetes ? ["interp-kernel"] : SweepCommand.ThisProgram();
            var job = new ClusterJob(specFile, outDir, n, $"sweep-{s.Hash[..8]}", words, indices)
            {
                Partition = parse.GetValue(partition), GpusPerTask = parse.GetValue(gpus), CpusPerTask = parse.GetValue(cpus), Time = parse.GetValue(time),
                Image = parse.GetValue(image), VolumeClaim = parse.GetValue(claim), MountPath = parse.GetValue(mount)!, Namespace = parse.GetValue(ns),
            };
            return useSlurm ? SubmitSlurm(job, s, parse.GetValue(dryRun)) : WriteKubernetes(job, s, parse.GetValue(dryRun));
        }));
        return command;
    }

    static int SubmitSlurm(ClusterJob job, SweepSpec spec, bool dryRun)
    {
        string folder = Path.Combine(job.OutDirectory, "slurm");
        if (dryRun)
        {
            Console.WriteLine($"# {Path.Combine(folder, "shard.sbatch")}");
            Console.Write(SlurmSubmission.ShardScript(job));
            Console.WriteLine($"# {Path.Combine(folder, "merge.sbatch")}");
            Console.Write(SlurmSubmission.MergeScript(job));
            Console.WriteLine("# commands");
            foreach (var c in SlurmSubmission.Commands(Path.Combine(folder, "shard.sbatch"), Path.Combine(folder, "merge.sbatch"))) Console.WriteLine(c);
            return 0;
        }
        SweepFiles.Claim(job.OutDirectory, spec);
        var (array, merge) = SlurmSubmission.Submit(job);
        Console.WriteLine($"Submitted array job {array} (tasks {job.ArraySpec()} of {job.Tasks}) and merge job {merge} (after {array} succeeds).");
        Console.WriteLine($"Watch it with 'squeue -j {array},{merge}' or 'interp-kernel sweep status {job.OutDirectory}'.");
        return 0;
    }

    static int WriteKubernetes(ClusterJob job, SweepSpec spec, bool dryRun)
    {
        var yaml = KubernetesManifests.Render(job with { Indices = Enumerable.Range(0, job.Tasks).ToList() });
        string file = Path.Combine(job.OutDirectory, "kubernetes", "sweep.yaml");
        if (dryRun)
        {
            Console.WriteLine($"# {file}");
            Console.Write(yaml);
            return 0;
        }
        SweepFiles.Claim(job.OutDirectory, spec);
        SweepFiles.WriteAtomically(file, yaml);
        Console.WriteLine($"Wrote {file}; start it with 'kubectl apply -f {file}'.");
        return 0;
    }

    // Shards already written for this spec and count are not submitted again.
    static List<int> Pending(string outDir, SweepSpec spec, int count)
    {
        var all = Enumerable.Range(0, count).ToList();
        if (!File.Exists(SweepFiles.SpecFile(outDir))) return all;
        var status = Sweep.Status(outDir);
        if (status.SpecHash != spec.Hash) throw new ArgumentException($"{outDir} holds the sweep of another spec: give a new --out folder.");
        return status.Count == count ? status.Missing.ToList() : all;
    }
}
