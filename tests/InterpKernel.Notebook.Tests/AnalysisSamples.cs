using InterpKernel.Analysis;
using InterpKernel.Notebook.Views;
using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Tests;

/// <summary>
/// Analysis results computed once per test run from models/kjv-gpt2-2l on tiny inputs. Everything that runs the
/// model (dashboards included) runs here, before any test reads it, so tests in parallel never put hooks on the
/// model at the same time.
/// </summary>
internal sealed class AnalysisSamples
{
    public const string CleanText = "And Abraham said unto Isaac, Behold the fire. And Abraham said unto";
    public const string CorruptText = "And Jacob said unto Isaac, Behold the fire. And Abraham said unto";
    public const int Layer = 1, Neuron = 17;

    private static readonly Lazy<AnalysisSamples> Shared = new(() => new AnalysisSamples());

    public static AnalysisSamples Get() => Shared.Value;

    public static readonly string[] Scripture =
    [
        "In the beginning God created the heaven and the earth.",
        "And God said, Let there be light: and there was light.",
        "And God called the light Day, and the darkness he called Night.",
        "And the LORD God formed man of the dust of the ground.",
        "And Abraham said unto Isaac, Behold the fire and the wood.",
        "And Moses said unto the people, Fear ye not, stand still.",
        "Thou shalt not kill. Thou shalt not steal.",
        "And Jacob went out from Beersheba, and went toward Haran.",
        "And the children of Israel did according to the word of Moses.",
        "Blessed be the LORD God of Shem; and Canaan shall be his servant.",
    ];

    public static readonly string[] Fortunes =
    [
        "A day for firm decisions!  Or is it?",
        "A few hours grace before the madness begins again.",
        "You will be married within a year.",
        "Your lucky number has been disconnected.",
        "Today is the first day of the rest of the mess.",
        "You have an unusual equipment for success.  Be sure to use it properly.",
        "Beware of computerized fortune-tellers.",
        "You will inherit millions of dollars.",
        "Don't read everything you believe.",
        "The early bird gets the worm, but the second mouse gets the cheese.",
    ];

    private AnalysisSamples()
    {
        Model = HookedTransformer.FromPretrained(Path.Combine(RepoRoot(), "models", "kjv-gpt2-2l"));
        var model = Model;
        Isaac = model.ToSingleToken(" Isaac");
        var clean = model.ToTokens(CleanText).DetachFromDisposeScope();
        var corrupt = model.ToTokens(CorruptText).DetachFromDisposeScope();
        CleanTokens = clean;
        var metric = Metrics.LogitDiff(Isaac, model.ToSingleToken(" Jacob"));
        Patching = ActivationPatching.Sweep(model, clean, corrupt, metric, PatchTarget.ResidPre);
        PreviousTokenScores = HeadDetectors.PreviousToken(model, clean).DetachFromDisposeScope();
        Lens = LogitLens.Run(model, clean, Isaac);
        Attribution = AttributionPatching.Run(model, clean, corrupt, metric);
        ResidPreEstimate = Attribution.ByLayerAndPosition("resid_pre").DetachFromDisposeScope();
        var (logits, cache) = model.RunWithCache(clean);
        logits.Dispose();
        using (cache) Stack = cache.DecomposeResid();
        Ablated = Ablation.Run(model, clean, AblationTarget.Head(1, 4), AblationKind.Zero, metric);

        var site = ActivationSite.Neuron(Layer, Neuron);
        var options = new ScanOptions { TopK = 3, Window = 4, Bins = 20 };
        Scan = ActivationScan.Run(model, site, TokenSource.FromPrompts(model, Scripture), options);
        Comparison = ActivationScan.Compare(model, site, TokenSource.FromPrompts(model, Scripture), TokenSource.FromPrompts(model, Fortunes), options);
        LossCurve = RepeatedTokens.LossCurve(model, seqLen: 12, batch: 2, seed: 1);
        FullOv = HeadCircuits.FullOV(model, 1, 4);

        string[] prompts = [.. Scripture, .. Fortunes];
        float[] labels = [.. Scripture.Select(_ => 1f), .. Fortunes.Select(_ => 0f)];
        var probeOptions = new ProbeOptions { TestFraction = 0.3, MaxEpochs = 30 };
        Sweep = ProbeSweep.EveryLayer(model, "resid_post", prompts, labels, ProbeTask.Binary, TokenPositions.Last, probeOptions);
        using (var data = ActivationCollector.Collect(model, "blocks.1.mlp.hook_post", prompts, labels, TokenPositions.Last))
            Sparse = SparseProbe.Fit(data, [1, 2, 4], probeOptions);

        Sae = SparseAutoencoder.Create(new SaeConfig(SaeArchitecture.Standard, model.Config.DModel, 64, "blocks.1.hook_resid_pre"), seed: 3);
        Evaluation = SaeEvaluator.Evaluate(model, Sae, Scripture, contextLength: 16, maxContexts: 4);
        NeuronDashboard = FeatureDashboards.ForNeuron(model, Layer, Neuron, Scripture, topExamples: 3, window: 4, topTokens: 5);
        SaeDashboard = FeatureDashboards.ForSaeFeature(model, Sae, 7, Fortunes, topExamples: 3, window: 4, topTokens: 5);
        NeuronEffects = AnalysisViews.NeuronLogits(model, Layer, Neuron, k: 5);
        NeuronTopTokens = NeuronLogits.TopTokens(model, Layer, Neuron, k: 5);
    }

    public HookedTransformer Model { get; }
    public int Isaac { get; }
    public Tensor CleanTokens { get; }
    public PatchingResult Patching { get; }
    public Tensor PreviousTokenScores { get; }
    public LogitLensResult Lens { get; }
    public AttributionPatchingResult Attribution { get; }
    public Tensor ResidPreEstimate { get; }
    public ResidualStack Stack { get; }
    public AblationResult Ablated { get; }
    public ActivationScanResult Scan { get; }
    public DistributionComparison Comparison { get; }
    public InContextLossCurve LossCurve { get; }
    public FactoredMatrix FullOv { get; }
    public ProbeSweep Sweep { get; }
    public SparseProbeResult Sparse { get; }
    public SparseAutoencoder Sae { get; }
    public SaeEvaluation Evaluation { get; }
    public FeatureDashboard NeuronDashboard { get; }
    public FeatureDashboard SaeDashboard { get; }
    public TokenEffectsView NeuronEffects { get; }
    public Microsoft.Data.Analysis.DataFrame NeuronTopTokens { get; }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "InterpKernel.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"no folder holding InterpKernel.sln above '{AppContext.BaseDirectory}': run the tests from inside the repository.");
    }
}
