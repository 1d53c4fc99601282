namespace InterpKernel.Analysis;

/// <summary>How well an SAE reconstructs its hook and how much of the model's behaviour survives splicing it in.</summary>
/// <param name="Tokens">Token positions measured (BOS positions left out of the reconstruction statistics).</param>
/// <param name="Mse">Mean squared reconstruction error per element.</param>
/// <param name="ExplainedVariance">1 − Σ‖x − x̂‖² / Σ‖x − mean‖²: the share of the activation's variance the reconstruction keeps.</param>
/// <param name="L0">Mean number of active features per token.</param>
/// <param name="DeadFeatures">Features that never fired on these tokens.</param>
/// <param name="CeLossClean">Next-token cross-entropy of the unedited model.</param>
/// <param name="CeLossWithSae">Cross-entropy with the reconstruction in place of the activation.</param>
/// <param name="CeLossZeroAblated">Cross-entropy with the activation set to zero.</param>
/// <param name="CeLossRecovered">(zero-ablated − with SAE) / (zero-ablated − clean): 1 when splicing costs nothing.</param>
public sealed record SaeEvaluation(long Tokens, double Mse, double ExplainedVariance, double L0, int DeadFeatures,
    double CeLossClean, double CeLossWithSae, double CeLossZeroAblated, double CeLossRecovered)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"tokens {Tokens}, MSE {Mse:G4}, explained variance {ExplainedVariance:F3}, L0 {L0:F1}, dead {DeadFeatures}, " +
        $"CE clean {CeLossClean:F3} / SAE {CeLossWithSae:F3} / zero {CeLossZeroAblated:F3}, recovered {CeLossRecovered:P1}";
}
