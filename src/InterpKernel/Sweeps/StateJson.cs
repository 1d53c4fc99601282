using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using InterpKernel.Analysis;

namespace InterpKernel.Sweeps;

/// <summary>Shard-state encodings shared by the analyses: exact and compact (doubles and floats as base64 of their bytes).</summary>
internal static class StateJson
{
    public static string Pack(ReadOnlySpan<double> values) => Convert.ToBase64String(MemoryMarshal.AsBytes(values));

    public static string Pack(ReadOnlySpan<float> values) => Convert.ToBase64String(MemoryMarshal.AsBytes(values));

    public static double[] UnpackDoubles(JsonNode? node) => MemoryMarshal.Cast<byte, double>(Convert.FromBase64String(node!.GetValue<string>())).ToArray();

    public static float[] UnpackFloats(JsonNode? node) => MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(node!.GetValue<string>())).ToArray();

    public static JsonNode ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, SweepFiles.Json)!;

    public static T FromNode<T>(JsonNode? node) => node.Deserialize<T>(SweepFiles.Json)
        ?? throw new InvalidOperationException($"A shard state lacks a {typeof(T).Name}: the shard file is damaged.");

    public static JsonObject Statistics(RunningStatistics statistics)
    {
        var s = statistics.ToState();
        var node = ToNode(s with { Reservoir = [], Pending = [] }).AsObject();
        node["reservoir"] = Pack(s.Reservoir);
        node["pending"] = Pack(s.Pending);
        return node;
    }

    public static RunningStatistics Statistics(JsonNode? node)
    {
        var plain = node!.DeepClone().AsObject();
        plain["reservoir"] = new JsonArray();
        plain["pending"] = new JsonArray();
        var s = FromNode<RunningStatisticsState>(plain) with { Reservoir = UnpackDoubles(node["reservoir"]), Pending = UnpackDoubles(node["pending"]) };
        return RunningStatistics.FromState(s);
    }

    public static JsonObject Collector(TopExampleCollector top, Func<int[], string[]> decode) => new()
    {
        ["offered"] = top.Offered,
        ["entries"] = new JsonArray(top.Entries().Select(e =>
        {
            var node = ToNode(e).AsObject();
            node["tokens"] = ToNode(decode(e.Context));
            return (JsonNode)node;
        }).ToArray()),
    };

    /// <summary>A collector, adding the decoded context of each example to <paramref name="tokens"/> under its order plus <paramref name="orderShift"/>.</summary>
    public static TopExampleCollector Collector(JsonNode? node, int k, int window, Dictionary<long, string[]> tokens, long orderShift)
    {
        var entries = new List<CollectedExample>();
        foreach (var e in node!["entries"]!.AsArray())
        {
            var example = FromNode<CollectedExample>(e);
            entries.Add(example);
            tokens[example.Order + orderShift] = FromNode<string[]>(e!["tokens"]);
        }
        return TopExampleCollector.FromEntries(k, window, node["offered"]!.GetValue<long>(), entries);
    }
}
