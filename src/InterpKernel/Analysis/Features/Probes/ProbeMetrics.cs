namespace InterpKernel.Analysis;

/// <summary>
/// How well a probe did. Accuracy and AUC are NaN where they do not apply (regression; AUC for multiclass), and R²
/// is NaN for classification.
/// </summary>
/// <param name="TrainRows">Rows the probe was fitted on (validation rows included).</param>
/// <param name="TestRows">Held-out rows the test metrics come from.</param>
/// <param name="TrainAccuracy">Accuracy on the training rows.</param>
/// <param name="TestAccuracy">Accuracy on the held-out rows.</param>
/// <param name="TestAuc">Area under the ROC curve on the held-out rows (binary probes).</param>
/// <param name="TrainR2">R² on the training rows (regression).</param>
/// <param name="TestR2">R² on the held-out rows (regression).</param>
/// <param name="Epochs">Optimisation steps taken before early stopping (0 for the closed-form ridge).</param>
public sealed record ProbeMetrics(int TrainRows, int TestRows, double TrainAccuracy, double TestAccuracy, double TestAuc,
    double TrainR2, double TestR2, int Epochs);
