using System.Diagnostics;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace InterpKernel.Sweeps;

/// <summary>
/// Runs sweeps: one shard (a task of a cluster job), all of it in one process, or the merge of finished shards.
/// Shards are written atomically with their spec's hash; a shard whose file is already there is not run again, so a
/// rerun or a requeued task only does what is missing.
/// </summary>
/// <example>
/// <code>
/// var spec = SweepSpec.Load("sweeps/neurons.json");
/// Sweep.RunShard(spec, index: 2, count: 4, "out/neurons");   // in task 2 of 4
/// var result = Sweep.Merge("out/neurons");                   // once all four are done
/// </code>
/// </example>
public static class Sweep
{
    /// <summary>Runs shard <paramref name="index"/> of <paramref name="count"/> into <paramref name="directory"/>; returns its file, or the existing one if it is done.</summary>
    public static SweepShardInfo RunShard(SweepSpec spec, int index, int count, string directory, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var units = SweepPlan.Units(spec);
        var mine = SweepPlan.Shard(units, index, count);
        directory = Path.GetFullPath(directory);
        SweepFiles.Claim(directory, spec);
        string file = SweepFiles.ShardFile(directory, index, count);
        if (File.Exists(file))
        {
            var existing = ReadHeader(file);
            if (existing.SpecHash == spec.Hash)
            {
                log?.WriteLine($"shard {index} of {count} is already done ({file}); skipping it");
                return existing;
            }
        }

        var analysis = SweepAnalyses.Get(spec.Analysis);
        var clock = Stopwatch.StartNew();
        var states = new JsonArray();
        foreach (var group in mine.GroupBy(u => u.Checkpoint))
        {
            string location = spec.Models().First(m => m.Checkpoint == group.Key).NameOrPath;
            log?.WriteLine($"shard {index} of {count}: {group.Count()} units on {location}");
            using var model = Load(spec, location);
            var state = analysis.Run(spec, model, group.ToList(), new SweepContext(directory, index, count, group.Key));
            states.Add(new JsonObject { ["checkpoint"] = group.Key, ["state"] = state });
        }
        var (first, end) = SweepPlan.ShardRange(units.Count, index, count);
        var info = new SweepShardInfo(file, spec.Hash, spec.Analysis, index, count, first, end, units.Count, clock.Elapsed.TotalSeconds, Environment.MachineName);
        var document = new JsonObject
        {
            ["format"] = SweepFiles.ShardFormat,
            ["specHash"] = info.SpecHash,
            ["analysis"] = info.Analysis,
            ["index"] = index,
            ["count"] = count,
            ["firstUnit"] = info.FirstUnit,
            ["endUnit"] = info.EndUnit,
            ["totalUnits"] = info.TotalUnits,
            ["seconds"] = info.Seconds,
            ["host"] = info.Host,
            ["checkpoints"] = states,
        };
        SweepFiles.WriteAtomically(file, document.ToJsonString(SweepFiles.Json));
        log?.WriteLine($"shard {index} of {count}: wrote {file} in {info.Seconds:F1} s");
        return info;
    }

    /// <summary>Runs the whole sweep in this process (one shard of one) and merges it: <c>DIR/result.json</c>.</summary>
    public static JsonObject Run(SweepSpec spec, string directory, TextWriter? log = null)
    {
        RunShard(spec, 0, 1, directory, log);
        return Merge(directory, log);
    }

    /// <summary>
    /// Merges the shards in <paramref name="directory"/> into <c>DIR/result.json</c> and returns it. Refuses, naming
    /// them, shards that are missing, duplicated, of another shard count, or of another spec.
    /// </summary>
    public static JsonObject Merge(string directory, TextWriter? log = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        directory = Path.GetFullPath(directory);
        var status = Status(directory);
        if (!status.Complete)
        {
            var why = new List<string>();
            if (status.Count == 0) why.Add($"no shard files in {SweepFiles.ShardFolder(directory)}");
            if (status.Missing.Count > 0)
                why.Add($"missing shards {string.Join(", ", status.Missing)} of {status.Count} (expected {string.Join(", ", status.Missing.Select(i => Path.GetFileName(SweepFiles.ShardFile(directory, i, status.Count))))})");
            why.AddRange(status.Problems);
            throw new InvalidOperationException($"Cannot merge {directory}:\n  - {string.Join("\n  - ", why)}");
        }
        var spec = SweepFiles.ReadSpec(directory);
        var analysis = SweepAnalyses.Get(spec.Analysis);
        var shards = status.Done.OrderBy(d => d.Index).Select(d => JsonNode.Parse(File.ReadAllText(d.File))!.AsObject()).ToList();
        var results = new JsonArray();
        foreach (var (checkpoint, location) in spec.Models())
        {
            var states = shards
                .SelectMany(s => s["checkpoints"]!.AsArray())
                .Where(c => c!["checkpoint"]!.GetValue<int>() == checkpoint)
                .Select(c => c!["state"]!)
                .ToList();
            var merged = analysis.Merge(spec, states, new SweepContext(directory, 0, status.Count, checkpoint));
            results.Add(new JsonObject { ["checkpoint"] = checkpoint, ["model"] = location, ["result"] = merged });
        }
        var result = new JsonObject
        {
            ["format"] = SweepFiles.ResultFormat,
            ["specHash"] = spec.Hash,
            ["analysis"] = spec.Analysis,
            ["shards"] = status.Count,
            ["units"] = status.Done[0].TotalUnits,
            ["taskSeconds"] = status.Done.Sum(d => d.Seconds),
            ["checkpoints"] = results,
        };
        SweepFiles.WriteAtomically(SweepFiles.ResultFile(directory), result.ToJsonString(SweepFiles.Json));
        log?.WriteLine($"merged {status.Count} shards into {SweepFiles.ResultFile(directory)}");
        return result;
    }

    /// <summary>Which shards of the folder's sweep are done, which are missing, and which files are in the way.</summary>
    public static SweepStatus Status(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        directory = Path.GetFullPath(directory);
        var spec = SweepFiles.ReadSpec(directory);
        var problems = new List<string>();
        var ours = new List<SweepShardInfo>();
        string folder = SweepFiles.ShardFolder(directory);
        var files = Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).ToList()
            : [];
        foreach (var file in files)
        {
            string name = Path.GetFileName(file);
            SweepShardInfo info;
            try
            {
                info = ReadHeader(file);
            }
            catch (Exception e) when (e is ArgumentException or System.Text.Json.JsonException or InvalidOperationException or NullReferenceException)
            {
                problems.Add($"{name} is not a readable shard file ({e.Message})");
                continue;
            }
            if (info.SpecHash != spec.Hash) problems.Add($"{name} is a foreign shard: it ran spec {info.SpecHash[..Math.Min(12, info.SpecHash.Length)]}, this folder's spec is {spec.Hash[..12]}");
            else ours.Add(info);
        }
        int count = ours.Count == 0 ? 0 : ours.GroupBy(s => s.Count).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        foreach (var other in ours.Where(s => s.Count != count))
            problems.Add($"{Path.GetFileName(other.File)} is shard {other.Index} of {other.Count}, but the other shards are of {count}: remove the shards of the other run");
        var done = new List<SweepShardInfo>();
        foreach (var group in ours.Where(s => s.Count == count).GroupBy(s => s.Index).OrderBy(g => g.Key))
        {
            if (group.Count() > 1)
                problems.Add($"shard {group.Key} of {count} is duplicated: {string.Join(" and ", group.Select(g => Path.GetFileName(g.File)))}; keep one");
            done.Add(group.First());
        }
        if (count > 0)
        {
            var units = done[0].TotalUnits;
            foreach (var d in done)
            {
                var (start, end) = SweepPlan.ShardRange(units, d.Index, count);
                if (d.TotalUnits != units || d.FirstUnit != start || d.EndUnit != end)
                    problems.Add($"{Path.GetFileName(d.File)} holds units {d.FirstUnit}..{d.EndUnit - 1} of {d.TotalUnits}, but shard {d.Index} of {count} should hold {start}..{end - 1} of {units}: the inputs changed between tasks");
            }
        }
        var missing = Enumerable.Range(0, count).Where(i => done.All(d => d.Index != i)).ToList();
        return new SweepStatus(spec.Hash, spec.Analysis, count, done, missing, problems, File.Exists(SweepFiles.ResultFile(directory)));
    }

    /// <summary>Loads one model of the sweep as its spec says.</summary>
    public static HookedTransformer Load(SweepSpec spec, string nameOrPath)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var dtype = spec.Model.Dtype switch
        {
            "float16" => ScalarType.Float16,
            "bfloat16" => ScalarType.BFloat16,
            _ => ScalarType.Float32,
        };
        return HookedTransformer.FromPretrained(nameOrPath, spec.Model.Device, dtype);
    }

    static SweepShardInfo ReadHeader(string file)
    {
        var node = JsonNode.Parse(File.ReadAllText(file)) as JsonObject ?? throw new ArgumentException("not a JSON object");
        if (node["format"]?.GetValue<string>() != SweepFiles.ShardFormat) throw new ArgumentException($"its format is not {SweepFiles.ShardFormat}");
        return new SweepShardInfo(file, node["specHash"]!.GetValue<string>(), node["analysis"]!.GetValue<string>(),
            node["index"]!.GetValue<int>(), node["count"]!.GetValue<int>(), node["firstUnit"]!.GetValue<int>(), node["endUnit"]!.GetValue<int>(),
            node["totalUnits"]!.GetValue<int>(), node["seconds"]!.GetValue<double>(), node["host"]!.GetValue<string>());
    }
}
