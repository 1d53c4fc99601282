using System.Text.Json.Nodes;
using InterpKernel.Analysis;
using static TorchSharp.torch;

namespace InterpKernel.Sweeps;

/// <summary>
/// <c>patching</c>: <see cref="ActivationPatching.Sweep"/> of every prompt pair of a JSONL file, with the logit
/// difference between the pair's two answers as the metric. Results concatenate by pair, so the merged tensors are
/// the single run's.
/// </summary>
/// <remarks>
/// Options: <c>target</c> (<c>resid_pre</c> default, <c>resid_mid</c>, <c>resid_post</c>, <c>attn_out</c>, <c>mlp_out</c>,
/// <c>heads</c>, <c>heads_by_pos</c>, <c>q</c>, <c>k</c>, <c>v</c>, <c>pattern</c>), <c>pairsPerUnit</c> (1).
/// </remarks>
public sealed class PatchingSweep : ISweepAnalysis
{
    static readonly Dictionary<string, PatchTarget> Targets = new(StringComparer.Ordinal)
    {
        ["resid_pre"] = PatchTarget.ResidPre, ["resid_mid"] = PatchTarget.ResidMid, ["resid_post"] = PatchTarget.ResidPost,
        ["attn_out"] = PatchTarget.AttnOut, ["mlp_out"] = PatchTarget.MlpOut, ["heads"] = PatchTarget.HeadOut,
        ["heads_by_pos"] = PatchTarget.HeadOutByPos, ["q"] = PatchTarget.HeadQ, ["k"] = PatchTarget.HeadK, ["v"] = PatchTarget.HeadV,
        ["pattern"] = PatchTarget.HeadPattern,
    };

    /// <inheritdoc />
    public string Name => "patching";

    /// <inheritdoc />
    public void Validate(SweepSpec spec, SweepOptions options, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        string target = options.String("target", "resid_pre", problems);
        if (!Targets.ContainsKey(target))
            problems.Add($"option 'target' is '{target}'{SweepOptions.Suggest(target, Targets.Keys)}: use one of {string.Join(", ", Targets.Keys)}");
        options.Int("pairsPerUnit", 1, problems, min: 1);
        if (spec.Inputs.Pairs is null) problems.Add("patching reads inputs.pairs: a JSONL file with clean, corrupt, answer and wrong on each line");
    }

    /// <inheritdoc />
    public IReadOnlyList<WorkUnit> Plan(SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int perUnit = new SweepOptions(spec.Options).Int("pairsPerUnit", 1);
        return SweepPlan.PairUnits(spec.Resolve(spec.Inputs.Pairs!), spec.ReadPairs().Count, perUnit);
    }

    /// <inheritdoc />
    public JsonNode Run(SweepSpec spec, HookedTransformer model, IReadOnlyList<WorkUnit> units, SweepContext context)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(units);
        var target = Targets[new SweepOptions(spec.Options).String("target", "resid_pre")];
        var pairs = spec.ReadPairs();
        var results = new JsonArray();
        foreach (var unit in units)
        {
            for (int p = (int)unit.Start; p < unit.End; p++)
            {
                var pair = pairs[p];
                using var scope = NewDisposeScope();
                var clean = model.ToTokens(pair.Clean);
                var corrupt = model.ToTokens(pair.Corrupt);
                if (clean.shape[^1] != corrupt.shape[^1])
                    throw new ArgumentException(
                        $"Pair {p + 1} of '{spec.Inputs.Pairs}': the clean prompt has {clean.shape[^1]} tokens and the corrupted one {corrupt.shape[^1]}; patching needs equal lengths.", nameof(spec));
                var metric = Metrics.LogitDiff(model.ToSingleToken(pair.Answer), model.ToSingleToken(pair.Wrong));
                using var result = ActivationPatching.Sweep(model, clean, corrupt, metric, target, new PatchingOptions { MetricName = "logit difference" });
                using var cpu = result.Values.cpu().contiguous();
                results.Add(new JsonObject
                {
                    ["pair"] = p,
                    ["rows"] = StateJson.ToNode(result.RowLabels),
                    ["columns"] = StateJson.ToNode(result.ColumnLabels),
                    ["title"] = result.Title,
                    ["metric"] = result.Metric,
                    ["values"] = StateJson.Pack(cpu.data<float>().ToArray()),
                });
            }
        }
        return new JsonObject { ["pairs"] = results };
    }

    /// <inheritdoc />
    public JsonNode Merge(SweepSpec spec, IReadOnlyList<JsonNode> states, SweepContext context)
    {
        ArgumentNullException.ThrowIfNull(states);
        var merged = new JsonArray();
        int expected = 0;
        foreach (var state in states)
        {
            foreach (var pair in state["pairs"]!.AsArray())
            {
                int index = pair!["pair"]!.GetValue<int>();
                if (index != expected) throw new InvalidOperationException($"The shards hold pair {index} where pair {expected} was expected: a shard is missing or duplicated.");
                expected++;
                var copy = pair.DeepClone().AsObject();
                copy["values"] = StateJson.ToNode(StateJson.UnpackFloats(pair["values"]));
                merged.Add(copy);
            }
        }
        return new JsonObject { ["pairs"] = merged };
    }

    /// <summary>The heatmaps of a merged patching result, one per prompt pair in file order (each owns its tensor).</summary>
    public static IReadOnlyList<PatchingResult> Results(JsonNode result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result["pairs"]!.AsArray().Select(p =>
        {
            var rows = StateJson.FromNode<string[]>(p!["rows"]);
            var columns = StateJson.FromNode<string[]>(p["columns"]);
            var values = StateJson.FromNode<float[]>(p["values"]);
            return new PatchingResult(tensor(values, [rows.Length, columns.Length]), rows, columns,
                p["metric"]!.GetValue<string>(), $"{p["title"]!.GetValue<string>()} (pair {p["pair"]!.GetValue<int>()})");
        }).ToList();
    }
}
