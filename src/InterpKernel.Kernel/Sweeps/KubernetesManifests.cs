using System.Text;

namespace InterpKernel.Kernel.Sweeps;

/// <summary>
/// Kubernetes manifests for a sweep, for <c>kubectl apply -f</c>: an Indexed Job whose pod <c>i</c> runs shard <c>i</c>
/// (the index from <c>JOB_COMPLETION_INDEX</c>, each index retried on its own), and a merge Job that waits for every
/// shard file and merges. The spec, inputs and output live on one persistent volume mounted in every pod.
/// </summary>
public static class KubernetesManifests
{
    /// <summary>Both Jobs as one YAML document stream.</summary>
    public static string Render(ClusterJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (string.IsNullOrWhiteSpace(job.Image)) throw new ArgumentException("Give the container image with --image: one that has interp-kernel on its PATH.", nameof(job));
        if (string.IsNullOrWhiteSpace(job.VolumeClaim)) throw new ArgumentException("Give the persistent volume claim with --volume-claim: the spec, inputs and --out folder must be on it.", nameof(job));
        string name = KubeName(job.Name);
        var s = new StringBuilder();
        Header(s, job, $"{name}-shards");
        s.AppendLine("spec:");
        s.AppendLine("  completionMode: Indexed");
        s.AppendLine($"  completions: {job.Tasks}");
        s.AppendLine($"  parallelism: {job.Tasks}");
        s.AppendLine("  backoffLimitPerIndex: 3");
        s.AppendLine("  template:");
        s.AppendLine("    spec:");
        s.AppendLine("      restartPolicy: Never");
        Container(s, job, "shard",
            [.. job.Launch, "sweep", "shard", job.SpecFile, "--index", "$(JOB_COMPLETION_INDEX)", "--count", job.Tasks.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", job.OutDirectory],
            gpus: job.GpusPerTask);
        s.AppendLine("---");
        Header(s, job, $"{name}-merge");
        s.AppendLine("spec:");
        s.AppendLine("  backoffLimit: 2");
        s.AppendLine("  template:");
        s.AppendLine("    spec:");
        s.AppendLine("      restartPolicy: Never");
        Container(s, job, "merge", [.. job.Launch, "sweep", "merge", job.OutDirectory, "--wait", "86400"], gpus: null);
        return s.ToString();
    }

    static void Header(StringBuilder s, ClusterJob job, string name)
    {
        s.AppendLine("apiVersion: batch/v1");
        s.AppendLine("kind: Job");
        s.AppendLine("metadata:");
        s.AppendLine($"  name: {name}");
        if (job.Namespace is not null) s.AppendLine($"  namespace: {Quote(job.Namespace)}");
        s.AppendLine("  labels:");
        s.AppendLine($"    interpkernel/sweep: {KubeName(job.Name)}");
    }

    static void Container(StringBuilder s, ClusterJob job, string name, IReadOnlyList<string> command, int? gpus)
    {
        s.AppendLine("      containers:");
        s.AppendLine($"        - name: {name}");
        s.AppendLine($"          image: {Quote(job.Image!)}");
        s.AppendLine("          command:");
        foreach (var word in command) s.AppendLine($"            - {Quote(word)}");
        if (gpus is { } g)
        {
            s.AppendLine("          resources:");
            s.AppendLine("            limits:");
            s.AppendLine($"              nvidia.com/gpu: {g}");
        }
        s.AppendLine("          volumeMounts:");
        s.AppendLine("            - name: sweep-data");
        s.AppendLine($"              mountPath: {Quote(job.MountPath)}");
        s.AppendLine("      volumes:");
        s.AppendLine("        - name: sweep-data");
        s.AppendLine("          persistentVolumeClaim:");
        s.AppendLine($"            claimName: {Quote(job.VolumeClaim!)}");
    }

    // Double-quoted YAML scalars: JSON string escaping is valid YAML.
    static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    static string KubeName(string name)
    {
        var cleaned = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return cleaned.Length > 40 ? cleaned[..40].TrimEnd('-') : cleaned;
    }
}
