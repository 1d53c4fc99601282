namespace InterpKernel.Analysis;

/// <summary>The metric (or loss) with and without an ablation, averaged over the prompts.</summary>
/// <param name="Target">What was ablated.</param>
/// <param name="Kind">How.</param>
/// <param name="Baseline">The metric of the unablated model.</param>
/// <param name="Ablated">The metric with the ablation.</param>
public sealed record AblationResult(string Target, AblationKind Kind, double Baseline, double Ablated)
{
    /// <summary>How much the ablation changed the metric: <c>Ablated − Baseline</c>.</summary>
    public double Effect => Ablated - Baseline;
}
