// Patching speed: batched sweeps against one forward pass per patch (the TransformerLens way), and attribution
// patching against the full sweeps. Prints a markdown section to stdout; progress goes to stderr.
// Usage: dotnet run -c Release --project bench/InterpKernel.Bench.Patching -- [--device cuda] [--dtype float16] [--threads N] [--quick]
using System.Diagnostics;
using System.Globalization;
using InterpKernel;
using InterpKernel.Analysis;
using InterpKernel.Bench;
using static TorchSharp.torch;

var bench = BenchDevice.Parse(args);
string device = bench.Name;
bool quick = args.Contains("--quick");
if (args.SkipWhile(a => a != "--threads").Skip(1).FirstOrDefault() is { } threads) set_num_threads(int.Parse(threads, CultureInfo.InvariantCulture));
string root = FindRoot();
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;

using var kjv4 = HookedTransformer.FromPretrained(Path.Combine(root, "models", "kjv-gpt2-4l"), device, bench.Dtype);
const string CleanText = "And Abraham said unto Isaac, Behold the fire. And Abraham said unto";
const string CorruptText = "And Jacob said unto Isaac, Behold the fire. And Abraham said unto";
using var clean = kjv4.ToTokens(CleanText);
using var corrupt = kjv4.ToTokens(CorruptText);
var metric = Metrics.LogitDiff(kjv4.ToSingleToken(" Isaac"), kjv4.ToSingleToken(" Jacob"));

var gpt2Config = new TransformerConfig
{
    DModel = 768, NHeads = 12, DHead = 64, NLayers = 12, DMlp = 3072, NCtx = 1024, DVocab = 50257, ModelType = "gpt2",
};
using var gpt2 = HookedTransformer.FromConfig(gpt2Config, seed: 0, device: device, dtype: bench.Dtype);

Console.WriteLine($"## Patching ({bench.Label}, {Environment.ProcessorCount} cores, {get_num_threads()} torch threads, prompt of {clean.shape[1]} tokens)");
Console.WriteLine();
Console.WriteLine("Clean `" + CleanText + "`, corrupted by swapping the first ` Abraham` for ` Jacob`; metric logit(` Isaac`) − logit(` Jacob`).");
Console.WriteLine("\"one forward per patch\" is `PatchingOptions.OneForwardPerPatch`; \"batched, nothing skipped\" stacks patches along the batch only;");
Console.WriteLine("\"batched\" is the default (also answers unchanged patches from the corrupted run and starts each patched run at its block).");
Console.WriteLine();
Console.WriteLine("| model | sweep | patches | one forward per patch | batched, nothing skipped | batched | speed-up (batched) | max abs diff |");
Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
var attributionRows = new List<string>();
foreach (var (name, model) in new[] { ("kjv-gpt2-4l", kjv4), ("GPT-2-small-shaped (random)", gpt2) })
{
    var plain = new PatchingOptions { SkipUnchangedPatches = false, ReusePrefix = false };
    // Warm up the kernels and allocator once per model.
    ActivationPatching.Run(model, clean, corrupt, metric, new[] { Patch.All("hook_embed") }).Dispose();
    double fullSweeps = 0, fullSweepsSingle = 0;
    foreach (var target in new[] { PatchTarget.ResidPre, PatchTarget.HeadOut })
    {
        int patches = target == PatchTarget.ResidPre ? model.Config.NLayers * (int)clean.shape[1] : model.Config.NLayers * model.Config.NHeads;
        var (single, tSingle) = Time(() => Sweep(model, target, PatchingOptions.OneForwardPerPatch));
        var (batchedPlain, tPlain) = Time(() => Sweep(model, target, plain));
        var (batched, tBatched) = Time(() => Sweep(model, target, null));
        double diff = Math.Max((single - batched).abs().max().item<float>(), (single - batchedPlain).abs().max().item<float>());
        Console.WriteLine($"| {name} | {target} | {patches} | {tSingle:F2} s | {tPlain:F2} s | {tBatched:F2} s | {tSingle / tBatched:F1}× | {diff:G2} |");
        fullSweeps += tBatched;
        fullSweepsSingle += tSingle;
        single.Dispose(); batched.Dispose(); batchedPlain.Dispose();
    }
    var (attr, tAttr) = Time(() =>
    {
        using var r = AttributionPatching.Run(model, clean, corrupt, metric,
            n => n.EndsWith(".hook_resid_pre", StringComparison.Ordinal) || n.EndsWith(".attn.hook_z", StringComparison.Ordinal));
        return cat(new[] { r.ByLayerAndPosition("resid_pre").reshape(-1), r.HeadOut().reshape(-1) });
    });
    attr.Dispose();
    attributionRows.Add($"| {name} | {tAttr:F3} s | {fullSweeps:F2} s | {fullSweepsSingle:F2} s | {fullSweeps / tAttr:F0}× | {fullSweepsSingle / tAttr:F0}× |");
}
Console.WriteLine();
Console.WriteLine("Attribution patching (one clean forward, one corrupted forward + backward; resid_pre and head estimates together) against the two real sweeps:");
Console.WriteLine();
Console.WriteLine("| model | attribution patching | both sweeps, batched | both sweeps, one forward per patch | speed-up vs batched | speed-up vs one per patch |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
foreach (var row in attributionRows) Console.WriteLine(row);

Tensor Sweep(HookedTransformer model, PatchTarget target, PatchingOptions? options)
{
    var progress = new Progress<PatchingProgress>(p => { if (p.Done == p.Total) Console.Error.WriteLine($"  {target}: {p.Done}/{p.Total}"); });
    return target == PatchTarget.ResidPre
        ? ActivationPatching.ResidPre(model, clean, corrupt, metric, options, progress)
        : ActivationPatching.HeadOut(model, clean, corrupt, metric, options, progress);
}

(Tensor Result, double Seconds) Time(Func<Tensor> run)
{
    int repeats = quick ? 1 : 2;
    Tensor result = run();
    var best = double.MaxValue;
    for (int i = 0; i < repeats; i++)
    {
        var sw = Stopwatch.StartNew();
        using (var again = run()) if (device != "cpu") again.cpu().Dispose();
        best = Math.Min(best, sw.Elapsed.TotalSeconds);
    }
    return (result, best);
}

static string FindRoot()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "InterpKernel.sln"))) return d.FullName;
    throw new DirectoryNotFoundException("run the benchmark from inside the repository (no InterpKernel.sln above the binaries).");
}
