using System.Diagnostics;

namespace InterpKernel.Sweeps.Tests;

/// <summary>
/// The Slurm cluster the tests submit to: whatever <c>sbatch</c> and <c>squeue</c> reach. <c>build/slurm.sh start</c>
/// starts a one-node cluster on this machine; when <c>SLURM_CONF</c> is unset its config is used if it is there.
/// </summary>
public static class SlurmCluster
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    /// <summary>Why the Slurm tests cannot run here, or null when they can.</summary>
    public static string? WhyUnavailable => Unavailable.Value;

    /// <summary>Runs a command; returns its exit code and output.</summary>
    public static (int Code, string Output, string Error) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var error = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, error.Result);
    }

    /// <summary>Runs <c>interp-kernel</c> (the build next to the tests) and fails the test if it fails.</summary>
    public static string InterpKernel(params string[] arguments)
    {
        var (code, output, error) = Run("dotnet", [TestPaths.KernelDll, .. arguments]);
        Assert.True(code == 0, $"interp-kernel {string.Join(" ", arguments)} exited {code}:\n{output}\n{error}");
        return output;
    }

    /// <summary>The states of a job's tasks (<c>123_1 R</c>), empty once it has left the queue.</summary>
    public static IReadOnlyList<(string Id, string State)> Queue(string job)
    {
        var (_, output, _) = Run("squeue", "-h", "-j", job, "-o", "%i %t");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).Select(p => (p[0], p[1])).ToList();
    }

    /// <summary>Waits until the jobs have left the queue; fails with the queue and the task logs after <paramref name="timeout"/>.</summary>
    public static void WaitFor(TimeSpan timeout, string outDirectory, params string[] jobs)
    {
        var clock = Stopwatch.StartNew();
        while (jobs.Any(j => Queue(j).Count > 0))
        {
            if (clock.Elapsed > timeout)
            {
                string logs = string.Join("\n", Directory.GetFiles(Path.Combine(outDirectory, "slurm"), "*.out").Select(f => $"{f}:\n{File.ReadAllText(f)}"));
                Assert.Fail($"Slurm jobs {string.Join(",", jobs)} still queued after {timeout}: {Run("squeue").Output}\n{logs}");
            }
            Thread.Sleep(300);
        }
    }

    /// <summary>Submits a sweep with <c>interp-kernel sweep submit --slurm</c>; returns the array and merge job ids.</summary>
    public static (string Array, string Merge) Submit(string spec, string outDirectory, int tasks)
    {
        string output = InterpKernel("sweep", "submit", spec, "--slurm", "--tasks", tasks.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", outDirectory);
        var words = output.Split([' ', '\n', '(', ')'], StringSplitOptions.RemoveEmptyEntries);
        string array = words[Array.IndexOf(words, "array") + 2], merge = words[Array.IndexOf(words, "merge") + 2];
        return (array, merge);
    }

    private static string? Probe()
    {
        if (Environment.GetEnvironmentVariable("SLURM_CONF") is null)
        {
            string dir = Environment.GetEnvironmentVariable("INTERPKERNEL_SLURM_DIR") ?? "/tmp/interpkernel-slurm";
            string conf = Path.Combine(dir, "slurm.conf");
            if (File.Exists(conf)) Environment.SetEnvironmentVariable("SLURM_CONF", conf);
        }
        try
        {
            var (code, output, error) = Run("sinfo", "-h", "-o", "%t");
            if (code != 0) return $"sinfo failed ({error.Trim()}): start a cluster with 'bash build/slurm.sh start'.";
            if (!output.Split('\n').Any(s => s.Trim() is "idle" or "mix" or "alloc")) return $"no Slurm node is up (sinfo says '{output.Trim()}'): start one with 'bash build/slurm.sh start'.";
            return null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "sbatch/sinfo are not installed: 'bash build/slurm.sh start' installs Debian's slurm-wlm and munge and starts a one-node cluster.";
        }
    }
}

/// <summary>A test that needs a reachable Slurm cluster; skipped, with the reason, where there is none.</summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    /// <summary>Skips when <see cref="SlurmCluster.WhyUnavailable"/> says why.</summary>
    public SlurmFactAttribute()
    {
        if (SlurmCluster.WhyUnavailable is { } why) Skip = why;
    }
}
