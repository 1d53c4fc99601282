// Circuit discovery speed: EAP on a GPT-2-small-shaped model (random weights) against one forward-and-backward pass,
// and EAP, EAP-IG, edge patching and ACDC on kjv-gpt2-2l's induction task. Prints a markdown section to stdout.
// Usage: dotnet run -c Release --project bench/InterpKernel.Bench.Circuits -- [--device cuda] [--threads N] [--quick] [--eap-only]
// (--eap-only stops after the GPT-2-small table.)
using System.Diagnostics;
using System.Globalization;
using InterpKernel;
using InterpKernel.Analysis;
using static TorchSharp.torch;

string device = args.SkipWhile(a => a != "--device").Skip(1).FirstOrDefault() ?? "cpu";
bool quick = args.Contains("--quick");
bool eapOnly = args.Contains("--eap-only");
if (args.SkipWhile(a => a != "--threads").Skip(1).FirstOrDefault() is { } threads) set_num_threads(int.Parse(threads, CultureInfo.InvariantCulture));
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
int repeats = quick ? 1 : 3;

var gpt2Config = new TransformerConfig
{
    DModel = 768, NHeads = 12, DHead = 64, NLayers = 12, DMlp = 3072, NCtx = 1024, DVocab = 50257, ModelType = "gpt2",
};
using var gpt2 = HookedTransformer.FromConfig(gpt2Config, seed: 0, device: device);
const int Batch = 8, Pos = 16;
var gen = new Generator(1);
using var clean = randint(0, 50257, [Batch, Pos], generator: gen).to(gpt2.Device);
using var corrupt = randint(0, 50257, [Batch, Pos], generator: gen).to(gpt2.Device);
var loss = Metrics.NextTokenLoss(clean); // reads every position, so nothing is skipped in the unembedding
Func<Tensor, Tensor> metric = logits => -loss(logits);
int edges = CircuitGraph.For(gpt2).Edges.Count;

double ForwardBackward()
{
    using var scope = NewDisposeScope();
    using var grad = enable_grad();
    Tensor? leaf = null;
    using (gpt2.Hooks(("hook_embed", (a, h) => { leaf = zeros_like(a).requires_grad_(true); return a + leaf; })))
        metric(gpt2.Forward(clean)).sum().backward();
    return leaf!.grad!.abs().sum().item<float>();
}

Console.WriteLine($"## Circuit discovery ({device}, {Environment.ProcessorCount} cores, {get_num_threads()} torch threads)");
Console.WriteLine();
Console.WriteLine($"GPT-2-small shape (random weights), {Batch} prompt pairs of {Pos} tokens, {edges} edges; the metric reads every position.");
Console.WriteLine($"Median of {repeats} runs after one warm-up.");
Console.WriteLine();
Console.WriteLine("| what | time | × one forward+backward |");
Console.WriteLine("| --- | ---: | ---: |");
ForwardBackward();
double fb = Median(() => ForwardBackward());
Console.WriteLine($"| one forward + backward | {fb:F2} s | 1.0× |");
CircuitDiscovery.EdgeAttribution(gpt2, clean, corrupt, metric);
double eap = Median(() => CircuitDiscovery.EdgeAttribution(gpt2, clean, corrupt, metric));
Console.WriteLine($"| EAP, all {edges} edges | {eap:F2} s | {eap / fb:F1}× |");
double eapIg = Median(() => CircuitDiscovery.EdgeAttribution(gpt2, clean, corrupt, metric, EdgeAttributionMethod.EapIg, steps: 5));
Console.WriteLine($"| EAP-IG (5 steps) | {eapIg:F2} s | {eapIg / fb:F1}× |");
Console.WriteLine();
if (eapOnly) return;

string root = FindRoot();
using var kjv = HookedTransformer.FromPretrained(Path.Combine(root, "models", "kjv-gpt2-2l"), device);
var (kClean, kCorrupt) = InductionTask.Prompts(kjv, seqLen: 20, batch: 16, seed: 3);
var kMetric = InductionTask.Metric(kClean, 20);
double span = Metrics.Evaluate(kjv, kClean, kMetric) - Metrics.Evaluate(kjv, kCorrupt, kMetric);
Console.WriteLine($"kjv-gpt2-2l, induction task: 16 prompt pairs of 41 tokens, {CircuitGraph.For(kjv).Edges.Count} edges.");
Console.WriteLine();
Console.WriteLine("| what | time | result |");
Console.WriteLine("| --- | ---: | --- |");
CircuitGraph? graph = null;
double t = Median(() => graph = CircuitDiscovery.EdgeAttribution(kjv, kClean, kCorrupt, kMetric));
Console.WriteLine($"| EAP | {t:F2} s | |");
t = Median(() => graph = CircuitDiscovery.EdgeAttribution(kjv, kClean, kCorrupt, kMetric, EdgeAttributionMethod.EapIg));
Console.WriteLine($"| EAP-IG (5 steps) | {t:F2} s | top 31 edges: {CircuitEvaluation.Faithfulness(kjv, graph!.Top(31), kClean, kCorrupt, kMetric)} |");
var (patched, tp) = (default(CircuitGraph), 0.0);
tp = Time(() => patched = CircuitEvaluation.PatchEdges(kjv, kClean, kCorrupt, kMetric));
Console.WriteLine($"| edge patching, every edge alone | {tp:F2} s | |");
CircuitGraph? acdc = null;
double ta = Time(() => acdc = CircuitDiscovery.Acdc(kjv, kClean, kCorrupt, kMetric, 0.01 * span));
Console.WriteLine($"| ACDC (threshold 1 % of the difference) | {ta:F2} s | {CircuitEvaluation.Faithfulness(kjv, acdc!, kClean, kCorrupt, kMetric)} |");

double Median(Action run)
{
    var times = Enumerable.Range(0, repeats).Select(_ => Time(run)).Order().ToList();
    return times[times.Count / 2];
}

static double Time(Action run)
{
    var clock = Stopwatch.StartNew();
    run();
    return clock.Elapsed.TotalSeconds;
}

static string FindRoot()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "InterpKernel.sln"))) return d.FullName;
    throw new DirectoryNotFoundException("run the benchmark from inside the repository (no InterpKernel.sln above the binaries).");
}
