using InterpKernel.Analysis;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Circuits;

/// <summary>kjv-gpt2-2l with the induction task's prompts and metric, and the edge patching every test compares with.</summary>
public sealed class InductionCircuitFixture : IDisposable
{
    public const int SeqLen = 20;

    public InductionCircuitFixture()
    {
        Model = HookedTransformer.FromPretrained(TestPaths.Models("kjv-gpt2-2l"));
        (Clean, Corrupt) = InductionTask.Prompts(Model, SeqLen, batch: 8, seed: 3);
        Metric = InductionTask.Metric(Clean, SeqLen);
        CleanMetric = Metrics.Evaluate(Model, Clean, Metric);
        CorruptMetric = Metrics.Evaluate(Model, Corrupt, Metric);
        Patched = new Lazy<CircuitGraph>(() => CircuitEvaluation.PatchEdges(Model, Clean, Corrupt, Metric));
    }

    public HookedTransformer Model { get; }
    public Tensor Clean { get; }
    public Tensor Corrupt { get; }
    public Func<Tensor, Tensor> Metric { get; }
    public double CleanMetric { get; }
    public double CorruptMetric { get; }
    public Lazy<CircuitGraph> Patched { get; }

    public static readonly string[] KComposition = ["a0.h4->a1.h1<k>", "a0.h4->a1.h3<k>", "a0.h4->a1.h4<k>"];

    public void Dispose()
    {
        Clean.Dispose();
        Corrupt.Dispose();
        Model.Dispose();
    }
}
