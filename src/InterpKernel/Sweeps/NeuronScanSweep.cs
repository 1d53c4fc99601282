using System.Text.Json.Nodes;
using InterpKernel.Analysis;

namespace InterpKernel.Sweeps;

/// <summary>
/// <c>neuron-scan</c>: <see cref="ActivationScan"/> of several neurons over text files, in one pass per unit.
/// Statistics merge exactly (counts, Welford mean and variance, min, max, histogram; the quantile reservoir as a
/// uniform sample of all tokens) and the top examples are those one pass over every unit in order would keep.
/// </summary>
/// <remarks>
/// Options: <c>layer</c> (required), <c>neurons</c> (required, indices into <c>hook</c>'s last dimension), <c>hook</c>
/// (default <c>blocks.{layer}.mlp.hook_post</c>), <c>histogramRange</c> (required: shards must share bin edges),
/// <c>bins</c> (50), <c>topK</c> (20), <c>window</c> (10), <c>reservoirSize</c> (10000), <c>batchSize</c> (8),
/// <c>includeBos</c> (false), <c>activeThreshold</c> (0), <c>seed</c> (0), <c>chunkTokens</c> (the model's n_ctx),
/// <c>unitBytes</c> (65536).
/// </remarks>
public sealed class NeuronScanSweep : ISweepAnalysis
{
    /// <inheritdoc />
    public string Name => "neuron-scan";

    /// <inheritdoc />
    public void Validate(SweepSpec spec, SweepOptions options, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        var settings = Read(options, problems);
        if (settings.Layer < 0) problems.Add("option 'layer' is required: the layer whose neurons are scanned");
        if (settings.Neurons.Length == 0) problems.Add("option 'neurons' is required: a list of neuron indices, e.g. [0, 1, 2]");
        if (settings.Scan.HistogramRange is null) problems.Add("option 'histogramRange' is required ([min, max]): shards merge histograms only over shared bin edges");
        if (spec.Inputs.Text is not { Count: > 0 }) problems.Add("neuron-scan reads inputs.text: give text files or globs");
    }

    /// <inheritdoc />
    public IReadOnlyList<WorkUnit> Plan(SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return SweepPlan.TextUnits(spec.TextFiles(), Read(new SweepOptions(spec.Options), null).UnitBytes);
    }

    /// <inheritdoc />
    public JsonNode Run(SweepSpec spec, HookedTransformer model, IReadOnlyList<WorkUnit> units, SweepContext context)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(units);
        var s = Read(new SweepOptions(spec.Options), null);
        var sites = s.Sites();
        var stats = sites.Select(_ => ActivationScan.NewStatistics(s.Scan)).ToList();
        var top = sites.Select(_ => ActivationScan.NewCollector(s.Scan)).ToList();
        long tokens = 0;
        foreach (var unit in units)
        {
            var source = TokenSource.FromTextRange(model, unit.Path, unit.Start, unit.End, unit.FirstLine, s.ChunkTokens);
            tokens += ActivationScan.Accumulate(model, sites, source, s.Scan, stats, top);
        }
        return new JsonObject
        {
            ["tokens"] = tokens,
            ["sites"] = new JsonArray(sites.Select((site, i) => (JsonNode)new JsonObject
            {
                ["hook"] = site.HookName,
                ["index"] = StateJson.ToNode(site.Index),
                ["statistics"] = StateJson.Statistics(stats[i]),
                ["top"] = StateJson.Collector(top[i], ids => TokenText.Of(model, ids)),
            }).ToArray()),
        };
    }

    /// <inheritdoc />
    public JsonNode Merge(SweepSpec spec, IReadOnlyList<JsonNode> states, SweepContext context)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(states);
        var s = Read(new SweepOptions(spec.Options), null);
        var sites = s.Sites();
        var result = new JsonArray();
        for (int i = 0; i < sites.Count; i++)
        {
            RunningStatistics? stats = null;
            TopExampleCollector? top = null;
            var tokens = new Dictionary<long, string[]>();
            foreach (var state in states)
            {
                var site = state["sites"]![i]!;
                var part = StateJson.Statistics(site["statistics"]);
                var partTop = StateJson.Collector(site["top"], s.Scan.TopK, s.Scan.Window, tokens, top?.Offered ?? 0);
                if (stats is null) { stats = part; top = partTop; }
                else { stats.Merge(part); top!.Merge(partTop); }
            }
            stats ??= ActivationScan.NewStatistics(s.Scan);
            top ??= ActivationScan.NewCollector(s.Scan);
            var examples = top.Entries()
                .Select(e => new ActivatingExample(e.Activation, e.Document, e.Position, e.Line, e.Context, e.Marked, tokens[e.Order], e.Source))
                .ToList();
            result.Add(new JsonObject
            {
                ["hook"] = sites[i].HookName,
                ["index"] = StateJson.ToNode(sites[i].Index),
                ["statistics"] = StateJson.ToNode(stats.Summary()),
                ["variance"] = stats.Variance,
                ["topExamples"] = StateJson.ToNode(examples),
            });
        }
        return new JsonObject
        {
            ["tokens"] = states.Sum(st => st["tokens"]!.GetValue<long>()),
            ["sites"] = result,
        };
    }

    /// <summary>The scan results of a merged neuron-scan result (one per neuron), for the usual views.</summary>
    public static IReadOnlyList<ActivationScanResult> Results(JsonNode result)
    {
        ArgumentNullException.ThrowIfNull(result);
        long tokens = result["tokens"]!.GetValue<long>();
        return result["sites"]!.AsArray().Select(site => new ActivationScanResult(
            new ActivationSite(site!["hook"]!.GetValue<string>(), StateJson.FromNode<int[]>(site["index"])),
            StateJson.FromNode<ActivationStatistics>(site["statistics"]),
            StateJson.FromNode<List<ActivatingExample>>(site["topExamples"]),
            tokens)).ToList();
    }

    static Settings Read(SweepOptions o, List<string>? problems)
    {
        int layer = o.Int("layer", -1, problems);
        var neurons = o.Ints("neurons", problems) ?? [];
        string hook = o.String("hook", layer >= 0 ? HookNames.Of("post", layer) : "", problems);
        var scan = new ScanOptions
        {
            BatchSize = o.Int("batchSize", 8, problems, min: 1),
            TopK = o.Int("topK", 20, problems, min: 1),
            Window = o.Int("window", 10, problems, min: 0),
            Bins = o.Int("bins", 50, problems, min: 1),
            HistogramRange = o.Range("histogramRange", problems),
            ReservoirSize = o.Int("reservoirSize", 10_000, problems, min: 1),
            ActiveThreshold = o.Double("activeThreshold", 0, problems),
            IncludeBos = o.Bool("includeBos", false, problems),
            Seed = o.Int("seed", 0, problems),
        };
        int chunk = o.Int("chunkTokens", 0, problems, min: 0);
        int unitBytes = o.Int("unitBytes", SweepPlan.DefaultUnitBytes, problems, min: 1);
        return new Settings(layer, neurons, hook, scan, chunk == 0 ? null : chunk, unitBytes);
    }

    sealed record Settings(int Layer, int[] Neurons, string Hook, ScanOptions Scan, int? ChunkTokens, int UnitBytes)
    {
        public List<ActivationSite> Sites() => Neurons.Select(n => new ActivationSite(Hook, n)).ToList();
    }
}
