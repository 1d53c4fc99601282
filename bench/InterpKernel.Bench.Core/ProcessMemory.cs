namespace InterpKernel.Bench.Core;

/// <summary>Resident memory of this process from /proc/self/status (Linux); peak cannot be reset, so each case runs in its own process.</summary>
static class ProcessMemory
{
    public static double PeakMiB() => ReadKiB("VmHWM:") / 1024.0;

    public static double CurrentMiB() => ReadKiB("VmRSS:") / 1024.0;

    static long ReadKiB(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith(field, StringComparison.Ordinal)) continue;
            var parts = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"/proc/self/status has no {field} line: peak memory is only measured on Linux.");
    }
}
