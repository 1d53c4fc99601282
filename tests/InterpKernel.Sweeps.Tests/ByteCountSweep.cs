using System.Text.Json.Nodes;

namespace InterpKernel.Sweeps.Tests;

/// <summary>A minimal analysis registered from outside the library: counts the bytes and lines of each text unit.</summary>
public sealed class ByteCountSweep : ISweepAnalysis
{
    /// <inheritdoc />
    public string Name => "test-byte-count";

    /// <inheritdoc />
    public void Validate(SweepSpec spec, SweepOptions options, List<string> problems) => options.Int("unitBytes", 2048, problems, min: 1);

    /// <inheritdoc />
    public IReadOnlyList<WorkUnit> Plan(SweepSpec spec) => SweepPlan.TextUnits(spec.TextFiles(), new SweepOptions(spec.Options).Int("unitBytes", 2048));

    /// <inheritdoc />
    public JsonNode Run(SweepSpec spec, HookedTransformer model, IReadOnlyList<WorkUnit> units, SweepContext context) => new JsonObject
    {
        ["bytes"] = units.Sum(u => u.End - u.Start),
        ["units"] = new JsonArray(units.Select(u => (JsonNode)u.Index).ToArray()),
    };

    /// <inheritdoc />
    public JsonNode Merge(SweepSpec spec, IReadOnlyList<JsonNode> states, SweepContext context) => new JsonObject
    {
        ["bytes"] = states.Sum(s => s["bytes"]!.GetValue<long>()),
        ["units"] = new JsonArray(states.SelectMany(s => s["units"]!.AsArray()).Select(n => n!.DeepClone()).ToArray()),
    };
}
