namespace InterpKernel.Analysis;

/// <summary>
/// How a model does with one layer edit (a deleted block or two swapped adjacent blocks), next-token prediction
/// over a text: its accuracy, the share of the unedited model's accuracy it keeps, and the mean KL divergence
/// from the unedited model's next-token distribution.
/// </summary>
/// <param name="Edit">The edit: <c>none</c>, <c>skip 2</c> or <c>swap 2-3</c>.</param>
/// <param name="Accuracy">Top-1 next-token accuracy, 0 to 1.</param>
/// <param name="AccuracyRetained">Accuracy relative to the unedited model (1 for <c>none</c>).</param>
/// <param name="KlDivergence">Mean KL(unedited ‖ edited) per position, in nats.</param>
public sealed record LayerEditResult(string Edit, double Accuracy, double AccuracyRetained, double KlDivergence);
