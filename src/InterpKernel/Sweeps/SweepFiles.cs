using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace InterpKernel.Sweeps;

/// <summary>The layout of a sweep's output folder, and writes that never leave a half-written file behind.</summary>
/// <remarks>
/// <c>sweep.json</c> holds the spec (and the folder its relative paths resolve against), <c>shards/shard-IIIII-of-NNNNN.json</c>
/// one task's state each, <c>result.json</c> the merged result; analyses may add folders of their own (e.g. <c>activations/</c>).
/// </remarks>
public static class SweepFiles
{
    /// <summary>The format tag of shard files.</summary>
    public const string ShardFormat = "interpkernel-sweep-shard/1";

    /// <summary>The format tag of merged results.</summary>
    public const string ResultFormat = "interpkernel-sweep-result/1";

    /// <summary>JSON settings for sweep files: camelCase, NaN and infinities allowed, indented.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
    };

    /// <summary><c>DIR/sweep.json</c>.</summary>
    public static string SpecFile(string directory) => Path.Combine(directory, "sweep.json");

    /// <summary><c>DIR/shards</c>.</summary>
    public static string ShardFolder(string directory) => Path.Combine(directory, "shards");

    /// <summary><c>DIR/shards/shard-IIIII-of-NNNNN.json</c>.</summary>
    public static string ShardFile(string directory, int index, int count) =>
        Path.Combine(ShardFolder(directory), $"shard-{index:D5}-of-{count:D5}.json");

    /// <summary><c>DIR/result.json</c>.</summary>
    public static string ResultFile(string directory) => Path.Combine(directory, "result.json");

    /// <summary>Writes <paramref name="text"/> to a temporary file next to <paramref name="path"/>, flushes it, then renames it over <paramref name="path"/>.</summary>
    public static void WriteAtomically(string path, string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(text);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temporary = $"{path}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>
    /// Records <paramref name="spec"/> in <c>DIR/sweep.json</c>, or checks that the folder already holds this spec:
    /// a folder holds one sweep, so another spec's shards can never be merged with these.
    /// </summary>
    public static void Claim(string directory, SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string file = SpecFile(directory);
        if (File.Exists(file))
        {
            var existing = ReadSpec(directory);
            if (existing.Hash != spec.Hash)
                throw new ArgumentException(
                    $"{directory} holds the sweep of another spec (hash {existing.Hash[..12]}, this one {spec.Hash[..12]}): give a new --out folder, or delete that one.", nameof(directory));
            return;
        }
        var record = new JsonObject
        {
            ["specHash"] = spec.Hash,
            ["baseDirectory"] = spec.BaseDirectory,
            ["spec"] = JsonNode.Parse(spec.CanonicalJson),
        };
        try
        {
            WriteAtomically(file, record.ToJsonString(Json));
        }
        catch (IOException) when (File.Exists(file))
        {
            // Another task claimed the folder at the same moment; it must be for the same spec.
        }
        if (ReadSpec(directory).Hash != spec.Hash)
            throw new ArgumentException($"{directory} was claimed by another spec at the same time: give each sweep its own --out folder.", nameof(directory));
    }

    /// <summary>The spec recorded in <c>DIR/sweep.json</c>.</summary>
    public static SweepSpec ReadSpec(string directory)
    {
        string file = SpecFile(directory);
        if (!File.Exists(file))
            throw new ArgumentException($"{directory} is not a sweep folder (no sweep.json): give the --out folder of sweep run, shard or submit.", nameof(directory));
        var node = JsonNode.Parse(File.ReadAllText(file)) as JsonObject
            ?? throw new ArgumentException($"{file} is damaged: it is not a JSON object.", nameof(directory));
        string baseDirectory = node["baseDirectory"]?.GetValue<string>() ?? directory;
        var spec = SweepSpec.Parse(node["spec"]?.ToJsonString() ?? "", baseDirectory, file);
        if (node["specHash"]?.GetValue<string>() is { } hash && hash != spec.Hash)
            throw new ArgumentException($"{file} is damaged: its spec hashes to {spec.Hash[..12]}, not the recorded {hash[..12]}.", nameof(directory));
        return spec;
    }
}
