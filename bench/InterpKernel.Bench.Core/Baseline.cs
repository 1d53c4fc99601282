using System.Text.Json;

namespace InterpKernel.Bench.Core;

/// <summary>The PyTorch baseline's timings, read from the JSON that bench/pytorch/gpt2_small.py prints.</summary>
sealed class Baseline
{
    readonly JsonElement _root;

    Baseline(JsonElement root, string? error)
    {
        _root = root;
        Error = error;
    }

    /// <summary>Why no baseline is available, or <c>null</c>.</summary>
    public string? Error { get; }

    public static Baseline Read(string? path)
    {
        if (string.IsNullOrEmpty(path)) return new Baseline(default, "BENCH_PYTORCH_JSON is not set (bench/run.sh sets it)");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            if (doc.RootElement.TryGetProperty("error", out var err)) return new Baseline(default, err.GetString());
            return new Baseline(doc.RootElement.Clone(), null);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return new Baseline(default, $"could not read {path}: {e.Message}");
        }
    }

    public string Describe(string key) =>
        Error is null && _root.TryGetProperty(key, out var v) ? v.ToString() : "n/a";

    /// <summary>Median milliseconds of one baseline case, or <c>null</c> when it was not measured.</summary>
    public double? MedianMs(string @case, string variant, int batch)
    {
        if (Error is not null || !_root.TryGetProperty("cases", out var cases)) return null;
        foreach (var c in cases.EnumerateArray())
        {
            if (c.GetProperty("case").GetString() == @case && c.GetProperty("variant").GetString() == variant &&
                c.GetProperty("batch").GetInt32() == batch && c.TryGetProperty("median_ms", out var ms))
                return ms.GetDouble();
        }
        return null;
    }

    /// <summary>Peak RSS in MiB of one baseline case, or <c>null</c>.</summary>
    public double? PeakMiB(string @case, string variant, int batch)
    {
        if (Error is not null || !_root.TryGetProperty("cases", out var cases)) return null;
        foreach (var c in cases.EnumerateArray())
        {
            if (c.GetProperty("case").GetString() == @case && c.GetProperty("variant").GetString() == variant &&
                c.GetProperty("batch").GetInt32() == batch && c.TryGetProperty("peak_mib", out var mib))
                return mib.GetDouble();
        }
        return null;
    }
}
