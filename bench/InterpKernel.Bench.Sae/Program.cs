// Trains a top-k SAE on blocks.1.hook_resid_pre of models/kjv-gpt2-2l for a fixed step budget on Genesis and
// reports held-out explained variance, L0, dead features, CE loss recovered and the training time as markdown.
// Usage: dotnet run -c Release --project bench/InterpKernel.Bench.Sae [repo-root] [steps] [--device cuda] [--dtype float32]
using System.Diagnostics;
using InterpKernel;
using InterpKernel.Analysis;
using InterpKernel.Bench;

var bench = BenchDevice.Parse(args);
var positional = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || !args[i - 1].StartsWith("--", StringComparison.Ordinal))).ToArray();
string root = positional.Length > 0 ? positional[0] : FindRoot();
int steps = positional.Length > 1 ? int.Parse(positional[1], System.Globalization.CultureInfo.InvariantCulture) : 1000;
using var model = HookedTransformer.FromPretrained(Path.Combine(root, "models", "kjv-gpt2-2l"), bench.Name, bench.Dtype);
const string Hook = "blocks.1.hook_resid_pre";
var options = new SaeTrainingOptions { DSae = 1024, K = 16, Steps = steps, BatchTokens = 1024, ContextLength = 64, BufferContexts = 64, EvaluationContexts = 32 };
var clock = Stopwatch.StartNew();
var (sae, report) = SaeTrainer.Train(model, Hook, Path.Combine(root, "data", "text", "genesis.txt"), options,
    new Progress<SaeTrainingProgress>(p => Console.Error.WriteLine($"step {p.Step}/{p.Steps}: loss {p.Loss:F3}, EV {p.ExplainedVariance:F3}, L0 {p.L0:F1}, {p.Elapsed.TotalSeconds:F1} s")));
using (sae)
{
    var e = report.Evaluation;
    var exodus = SaeEvaluator.Evaluate(model, sae, File.ReadLines(Path.Combine(root, "data", "text", "exodus.txt")), contextLength: 64, maxContexts: 64);
    Console.WriteLine("## SAE training (top-k) on kjv-gpt2-2l");
    Console.WriteLine();
    Console.WriteLine($"Hook `{Hook}`, d_sae {sae.Config.DSae}, k {sae.Config.K}, {report.Steps} steps × {options.BatchTokens} tokens ({report.Tokens:N0} activations from data/text/genesis.txt), {bench.Label}, {Environment.ProcessorCount} cores.");
    Console.WriteLine();
    Console.WriteLine("| measured on | tokens | explained variance | L0 | dead features | MSE | CE clean | CE with SAE | CE loss recovered | training time |");
    Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    Console.WriteLine($"| Genesis (held out) | {e.Tokens} | {e.ExplainedVariance:F3} | {e.L0:F1} | {e.DeadFeatures} | {e.Mse:G3} | {e.CeLossClean:F3} | {e.CeLossWithSae:F3} | {e.CeLossRecovered:P1} | {report.Elapsed.TotalSeconds:F1} s |");
    Console.WriteLine($"| Exodus | {exodus.Tokens} | {exodus.ExplainedVariance:F3} | {exodus.L0:F1} | {exodus.DeadFeatures} | {exodus.Mse:G3} | {exodus.CeLossClean:F3} | {exodus.CeLossWithSae:F3} | {exodus.CeLossRecovered:P1} | |");
}

static string FindRoot()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "InterpKernel.sln"))) return d.FullName;
    throw new DirectoryNotFoundException("Run from inside the repository or pass its root as the first argument.");
}
