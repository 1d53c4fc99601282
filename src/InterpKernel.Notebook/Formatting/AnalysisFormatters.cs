using InterpKernel.Analysis;
using InterpKernel.Notebook.Views;

namespace InterpKernel.Notebook.Formatting;

/// <summary>
/// Which view each analysis result shows as. Views copy what they need, so a result disposed after the cell still
/// shows; a result that can no longer be read (its tensors disposed before display) shows its error as text.
/// </summary>
internal static class AnalysisFormatters
{
    public static IReadOnlyList<(Type Type, Func<object, IHtmlView> View)> Views { get; } =
    [
        (typeof(PatchingResult), o => AnalysisViews.Patching((PatchingResult)o)),
        (typeof(LogitLensResult), o => AnalysisViews.LogitLens((LogitLensResult)o)),
        (typeof(AttributionPatchingResult), o => AnalysisViews.AttributionPatching((AttributionPatchingResult)o)),
        (typeof(ResidualStack), o => AnalysisViews.ResidualStack((ResidualStack)o)),
        (typeof(AblationResult), o => AnalysisViews.Ablation((AblationResult)o)),
        (typeof(ActivationStatistics), o => AnalysisViews.Distribution((ActivationStatistics)o)),
        (typeof(DistributionComparison), o => AnalysisViews.Comparison((DistributionComparison)o)),
        (typeof(ActivationScanResult), o => AnalysisViews.Scan((ActivationScanResult)o)),
        (typeof(FeatureDashboard), o => AnalysisViews.FeatureDashboard((FeatureDashboard)o)),
        (typeof(IReadOnlyList<ActivatingExample>), o => AnalysisViews.Examples((IReadOnlyList<ActivatingExample>)o)),
        (typeof(ActivatingExample), o => AnalysisViews.Examples([(ActivatingExample)o], "Activating example")),
        (typeof(InContextLossCurve), o => AnalysisViews.LossCurve((InContextLossCurve)o)),
        (typeof(FactoredMatrix), o => AnalysisViews.FactoredMatrix((FactoredMatrix)o)),
        (typeof(ProbeSweep), o => AnalysisViews.ProbeSweep((ProbeSweep)o)),
        (typeof(SparseProbeResult), o => AnalysisViews.SparseProbe((SparseProbeResult)o)),
        (typeof(SaeEvaluation), o => AnalysisViews.SaeEvaluation((SaeEvaluation)o)),
        (typeof(SaeTrainingReport), o => AnalysisViews.SaeTraining((SaeTrainingReport)o)),
        (typeof(CircuitGraph), o => new CircuitView((CircuitGraph)o)),
        (typeof(AttributionGraph), o => new AttributionGraphView((AttributionGraph)o)),
    ];
}
