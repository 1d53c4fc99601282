// Attribution-graph speed: one graph for a 16-token prompt on kjv-gpt2-2l, with per-layer transcoders made from
// each layer's own MLP (encoder W_in, decoder W_out, JumpReLU keeping about 24 features a position). Prints a
// markdown section to stdout.
// Usage: dotnet run -c Release --project bench/InterpKernel.Bench.Attribution -- [--threads N] [--features N]
using System.Diagnostics;
using System.Globalization;
using InterpKernel;
using InterpKernel.Analysis;
using static TorchSharp.torch;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args.SkipWhile(a => a != "--threads").Skip(1).FirstOrDefault() is { } threads) set_num_threads(int.Parse(threads, CultureInfo.InvariantCulture));
int perPosition = int.Parse(args.SkipWhile(a => a != "--features").Skip(1).FirstOrDefault() ?? "24", CultureInfo.InvariantCulture);
const int Repeats = 5, Positions = 16;
string loadAtStart = File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Aggregate((a, b) => $"{a} {b}");

using var model = HookedTransformer.FromPretrained(Path.Combine(FindRoot(), "models", "kjv-gpt2-2l"));
using var all = model.ToTokens("And God said unto Moses, I AM THAT I AM: and he said, Thus shalt thou say unto the children of Israel");
using var tokens = all.narrow(1, 0, Positions);
var saes = MlpTranscoders.Build(model, tokens, perPosition);
var transcoders = new TranscoderSet(saes);

AttributionGraph? graph = null;
AttributionPruning? pruned = null;
string json = "";
var options = new AttributionOptions();
graph = AttributionGraph.Compute(model, transcoders, tokens, options); // warm-up
double compute = Median(() => graph = AttributionGraph.Compute(model, transcoders, tokens, options));
double replacement = Median(() => ReplacementModel.Create(model, transcoders, tokens).Dispose());
double prune = Median(() => pruned = graph!.Prune(0.8, 0.98));
double write = Median(() => json = graph!.ToJson("bench", pruned));
string loadAtEnd = File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Aggregate((a, b) => $"{a} {b}");
int edges = 0;
for (int t = 0; t < graph!.Nodes.Count; t++) foreach (var w in graph.Row(t)) if (w != 0) edges++;

Console.WriteLine($"## Attribution graph (cpu, {Environment.ProcessorCount} cores, {get_num_threads()} torch thread{(get_num_threads() == 1 ? "" : "s")})");
Console.WriteLine();
Console.WriteLine($"kjv-gpt2-2l, a prompt of {Positions} tokens, transcoders made from each layer's MLP (JumpReLU keeping about {perPosition} of " +
                  $"{saes[0].Config.DSae} features a position): {graph.FeatureCount} feature, {graph.ErrorCount} error, {graph.EmbeddingCount} embedding " +
                  $"and {graph.LogitCount} logit nodes, {edges} nonzero edges; batch of {options.BatchSize} targets per backward pass. " +
                  $"Median of {Repeats} runs after one warm-up. Load average (1, 5, 15 min) at the start / end: {loadAtStart} / {loadAtEnd}.");
Console.WriteLine();
Console.WriteLine("| what | time |");
Console.WriteLine("| --- | ---: |");
Console.WriteLine($"| `AttributionGraph.Compute` (clean run, {graph.FeatureCount + graph.LogitCount} target rows, bias pass) | {compute:F2} s |");
Console.WriteLine($"| of which `ReplacementModel.Create` (the clean run) | {replacement:F3} s |");
Console.WriteLine($"| `Prune(0.8, 0.98)`: {pruned!.NodeCount} nodes, {pruned.EdgeCount} edges kept | {prune:F3} s |");
Console.WriteLine($"| `ToJson` ({json.Length / 1024} KiB) | {write:F3} s |");

double Median(Action run) => Enumerable.Range(0, Repeats).Select(_ => Time(run)).Order().ElementAt(Repeats / 2);

double Time(Action run)
{
    var watch = Stopwatch.StartNew();
    run();
    return watch.Elapsed.TotalSeconds;
}

string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "InterpKernel.sln"))) return dir.FullName;
    throw new DirectoryNotFoundException("Run the benchmark from inside the repository.");
}
