using System.Text.Json.Nodes;
using InterpKernel.Analysis;
using static TorchSharp.torch;

namespace InterpKernel.Sweeps;

/// <summary>
/// <c>head-scores</c>: <see cref="HeadDetectors.PreviousToken"/> and <see cref="HeadDetectors.DuplicateToken"/> over
/// text cut into sequences of equal length, as the mean of the per-batch scores weighted by batch size; shards add
/// their weighted sums and sequence counts.
/// </summary>
/// <remarks>Options: <c>detectors</c> (<c>["previous-token", "duplicate-token"]</c>), <c>seqLen</c> (64), <c>batchSize</c> (16), <c>unitBytes</c> (65536).</remarks>
public sealed class HeadScoresSweep : ISweepAnalysis
{
    static readonly string[] Detectors = ["previous-token", "duplicate-token"];

    /// <inheritdoc />
    public string Name => "head-scores";

    /// <inheritdoc />
    public void Validate(SweepSpec spec, SweepOptions options, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        foreach (var d in options.Strings("detectors", problems) ?? [])
            if (!Detectors.Contains(d)) problems.Add($"detector '{d}'{SweepOptions.Suggest(d, Detectors)} is not one of {string.Join(", ", Detectors)}");
        options.Int("seqLen", 64, problems, min: 2);
        options.Int("batchSize", 16, problems, min: 1);
        SweepPlan.ValidateTextInputs("head-scores", spec, options, problems);
    }

    /// <inheritdoc />
    public IReadOnlyList<WorkUnit> Plan(SweepSpec spec) => SweepPlan.TextUnits(spec);

    /// <inheritdoc />
    public JsonNode Run(SweepSpec spec, HookedTransformer model, IReadOnlyList<WorkUnit> units, SweepContext context)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(units);
        var o = new SweepOptions(spec.Options);
        var detectors = o.Strings("detectors") ?? Detectors;
        int seqLen = o.Int("seqLen", 64), batchSize = o.Int("batchSize", 16);
        var sums = detectors.Select(_ => new double[model.Config.NLayers * model.Config.NHeads]).ToArray();
        long sequences = 0;
        foreach (var unit in units)
        {
            var full = TokenSource.FromTextRange(model, unit.Path, unit.Start, unit.End, unit.FirstLine, seqLen).Where(c => c.Ids.Length == seqLen);
            foreach (var batch in full.Chunk(batchSize))
            {
                using var scope = NewDisposeScope();
                var tokens = OnDevice.Move(tensor(batch.SelectMany(c => c.Ids.Select(i => (long)i)).ToArray(), [batch.Length, seqLen], ScalarType.Int64), model.Device);
                for (int d = 0; d < detectors.Length; d++)
                {
                    var scores = detectors[d] == "previous-token" ? HeadDetectors.PreviousToken(model, tokens) : HeadDetectors.DuplicateToken(model, tokens);
                    var values = scores.cpu().to(ScalarType.Float64).data<double>().ToArray();
                    for (int i = 0; i < values.Length; i++) sums[d][i] += values[i] * batch.Length;
                }
                sequences += batch.Length;
            }
        }
        return new JsonObject
        {
            ["sequences"] = sequences,
            ["layers"] = model.Config.NLayers,
            ["heads"] = model.Config.NHeads,
            ["sums"] = new JsonObject(detectors.Select((d, i) => KeyValuePair.Create(d, (JsonNode?)StateJson.Pack(sums[i])))),
        };
    }

    /// <inheritdoc />
    public JsonNode Merge(SweepSpec spec, IReadOnlyList<JsonNode> states, SweepContext context)
    {
        ArgumentNullException.ThrowIfNull(states);
        if (states.Count == 0) throw new InvalidOperationException("There are no shard states to merge.");
        long sequences = states.Sum(s => s["sequences"]!.GetValue<long>());
        var result = new JsonObject
        {
            ["sequences"] = sequences,
            ["layers"] = states[0]["layers"]!.GetValue<int>(),
            ["heads"] = states[0]["heads"]!.GetValue<int>(),
        };
        var scores = new JsonObject();
        foreach (var (name, _) in states[0]["sums"]!.AsObject())
        {
            double[]? total = null;
            foreach (var s in states)
            {
                var part = StateJson.UnpackDoubles(s["sums"]![name]);
                total ??= new double[part.Length];
                for (int i = 0; i < part.Length; i++) total[i] += part[i];
            }
            scores[name] = StateJson.ToNode(total!.Select(v => v / Math.Max(1, sequences)).ToArray());
        }
        result["scores"] = scores;
        return result;
    }
}
