namespace InterpKernel.Kernel.Sweeps;

/// <summary>What <c>sweep submit</c> needs to write a cluster job for a sweep.</summary>
/// <param name="SpecFile">The spec file, as the tasks will see it (absolute).</param>
/// <param name="OutDirectory">The sweep's output folder, as the tasks will see it (absolute).</param>
/// <param name="Tasks">Array tasks (shards).</param>
/// <param name="Name">A job name.</param>
/// <param name="Launch">The command that runs <c>interp-kernel</c> on the nodes, word by word.</param>
/// <param name="Indices">The shard indices to run; all of 0..Tasks−1 unless some are done already.</param>
public sealed record ClusterJob(string SpecFile, string OutDirectory, int Tasks, string Name, IReadOnlyList<string> Launch, IReadOnlyList<int> Indices)
{
    /// <summary>Optional: Slurm partition.</summary>
    public string? Partition { get; init; }

    /// <summary>Optional: GPUs per task (one task per GPU is the usual layout).</summary>
    public int? GpusPerTask { get; init; }

    /// <summary>Optional: CPUs per task.</summary>
    public int? CpusPerTask { get; init; }

    /// <summary>Optional: time limit, in Slurm's format (<c>01:00:00</c>).</summary>
    public string? Time { get; init; }

    /// <summary>Kubernetes: the container image holding interp-kernel.</summary>
    public string? Image { get; init; }

    /// <summary>Kubernetes: the persistent volume claim holding the spec, inputs and output.</summary>
    public string? VolumeClaim { get; init; }

    /// <summary>Kubernetes: where the volume is mounted in the containers.</summary>
    public string MountPath { get; init; } = "/data";

    /// <summary>Kubernetes: the namespace (none: kubectl's current one).</summary>
    public string? Namespace { get; init; }

    /// <summary>Quotes one word for a POSIX shell.</summary>
    public static string ShellQuote(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "/._-=:,@+%".Contains(c)) ? word : "'" + word.Replace("'", "'\\''") + "'";
    }

    /// <summary>The shard indices as a Slurm array: <c>0-3</c> when contiguous, else <c>1,3</c>.</summary>
    public string ArraySpec() =>
        Indices.Count > 0 && Indices[^1] - Indices[0] == Indices.Count - 1 ? $"{Indices[0]}-{Indices[^1]}" : string.Join(",", Indices);
}
