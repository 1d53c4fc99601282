using System.Text.Json.Nodes;
using InterpKernel.Analysis;
using InterpKernel.Loading;
using static TorchSharp.torch;

namespace InterpKernel.Sweeps;

/// <summary>
/// <c>collect-activations</c>: <see cref="ActivationCollector"/> over text, every token but BOS, written as one
/// safetensors file per unit under <c>DIR/activations</c> (each hook <c>[rows, d]</c> float32, and <c>tokens</c>
/// <c>[rows]</c>). The merge writes <c>activations/index.json</c>; <see cref="ActivationStore"/> reads the files as a
/// stream without loading them whole.
/// </summary>
/// <remarks>Options: <c>hooks</c> (required), <c>chunkTokens</c> (128), <c>unitBytes</c> (65536).</remarks>
public sealed class CollectActivationsSweep : ISweepAnalysis
{
    /// <inheritdoc />
    public string Name => "collect-activations";

    /// <inheritdoc />
    public void Validate(SweepSpec spec, SweepOptions options, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Strings("hooks", problems) is not { Length: > 0 }) problems.Add("option 'hooks' is required: the hook names to collect, e.g. [\"blocks.1.hook_resid_post\"]");
        options.Int("chunkTokens", 128, problems, min: 2);
        SweepPlan.ValidateTextInputs("collect-activations", spec, options, problems);
    }

    /// <inheritdoc />
    public IReadOnlyList<WorkUnit> Plan(SweepSpec spec) => SweepPlan.TextUnits(spec);

    /// <inheritdoc />
    public JsonNode Run(SweepSpec spec, HookedTransformer model, IReadOnlyList<WorkUnit> units, SweepContext context)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(units);
        ArgumentNullException.ThrowIfNull(context);
        var o = new SweepOptions(spec.Options);
        var hooks = o.Strings("hooks")!;
        int chunkTokens = Math.Min(o.Int("chunkTokens", 128), model.Config.NCtx);
        string folder = Path.Combine(context.Directory, "activations");
        Directory.CreateDirectory(folder);
        var files = new JsonArray();
        foreach (var unit in units)
        {
            string name = $"unit-{unit.Index:D6}{context.CheckpointSuffix}.safetensors";
            var chunks = TokenSource.FromTextRange(model, unit.Path, unit.Start, unit.End, unit.FirstLine, chunkTokens).ToList();
            var sequences = chunks.Select(c => (IReadOnlyList<int>)c.Ids).ToList();
            long rows = 0;
            if (sequences.Count > 0)
            {
                using var data = ActivationCollector.Collect(model, hooks, sequences, (i, p) => chunks[i].StartsWithBos && p == 0 ? null : 0f);
                var ids = chunks.SelectMany(c => c.Ids.Skip(c.StartsWithBos ? 1 : 0)).Select(i => (long)i).ToArray();
                using var tokens = tensor(ids, ScalarType.Int64);
                var tensors = hooks.Select(h => KeyValuePair.Create(h, data[h])).Append(KeyValuePair.Create("tokens", tokens)).ToList();
                string temporary = Path.Combine(folder, $"{name}.tmp-{Environment.ProcessId}");
                SafeTensorsWriter.Save(temporary, tensors, new Dictionary<string, string> { ["source"] = unit.Path, ["first_line"] = unit.FirstLine.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                File.Move(temporary, Path.Combine(folder, name), overwrite: true);
                rows = data.Count;
            }
            files.Add(new JsonObject { ["path"] = rows > 0 ? name : null, ["rows"] = rows, ["source"] = unit.Path, ["firstLine"] = unit.FirstLine });
        }
        return new JsonObject { ["hooks"] = StateJson.ToNode(hooks), ["files"] = files };
    }

    /// <inheritdoc />
    public JsonNode Merge(SweepSpec spec, IReadOnlyList<JsonNode> states, SweepContext context)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(context);
        if (states.Count == 0) throw new InvalidOperationException("There are no shard states to merge.");
        var hooks = StateJson.FromNode<string[]>(states[0]["hooks"]);
        var files = states.SelectMany(s => s["files"]!.AsArray()).Where(f => f!["path"] is not null).Select(f => f!.DeepClone()).ToArray();
        string folder = Path.Combine(context.Directory, "activations");
        var widths = new JsonObject();
        if (files.Length > 0)
        {
            using var first = SafeTensorsFile.Open(Path.Combine(folder, files[0]["path"]!.GetValue<string>()));
            foreach (var h in hooks) widths[h] = first.Info(h).Shape[1];
        }
        foreach (var f in files)
            if (!File.Exists(Path.Combine(folder, f["path"]!.GetValue<string>())))
                throw new InvalidOperationException($"The activation file {f["path"]} a shard wrote is not in {folder}: rerun that shard.");
        var index = new JsonObject
        {
            ["format"] = ActivationStore.Format,
            ["hooks"] = widths,
            ["rows"] = files.Sum(f => f["rows"]!.GetValue<long>()),
            ["files"] = new JsonArray(files),
        };
        string indexFile = Path.Combine(folder, $"index{context.CheckpointSuffix}.json");
        SweepFiles.WriteAtomically(indexFile, index.ToJsonString(SweepFiles.Json));
        return new JsonObject { ["index"] = Path.GetRelativePath(context.Directory, indexFile), ["rows"] = index["rows"]!.GetValue<long>(), ["hooks"] = widths.DeepClone() };
    }
}
