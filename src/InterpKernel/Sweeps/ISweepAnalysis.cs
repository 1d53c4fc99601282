using System.Text.Json.Nodes;

namespace InterpKernel.Sweeps;

/// <summary>
/// An analysis a sweep can run: how its work splits into units, what one shard computes from its units, and how
/// shards combine. Merging the states of shards 0..N−1 (in that order) must give what one state over all units gives.
/// Register new ones with <see cref="SweepAnalyses.Register"/>.
/// </summary>
public interface ISweepAnalysis
{
    /// <summary>The name a spec's <c>analysis</c> field uses.</summary>
    string Name { get; }

    /// <summary>Reads every option through <paramref name="options"/> (so unknown ones are reported) and adds what is wrong to <paramref name="problems"/>.</summary>
    void Validate(SweepSpec spec, SweepOptions options, List<string> problems);

    /// <summary>The units of one model's work, in order (the runner numbers them and repeats them per checkpoint).</summary>
    IReadOnlyList<WorkUnit> Plan(SweepSpec spec);

    /// <summary>The state of <paramref name="units"/> (all on one model): JSON that <see cref="Merge"/> reads back.</summary>
    JsonNode Run(SweepSpec spec, HookedTransformer model, IReadOnlyList<WorkUnit> units, SweepContext context);

    /// <summary>Combines shard states in shard order into the result for one model; may write files under <see cref="SweepContext.Directory"/>.</summary>
    JsonNode Merge(SweepSpec spec, IReadOnlyList<JsonNode> states, SweepContext context);
}
