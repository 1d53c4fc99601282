namespace InterpKernel.Analysis;

/// <summary>One fit of a k-sparse probe.</summary>
/// <param name="Method"><c>mean_difference</c> or <c>l1_path</c>: how the neurons were chosen.</param>
/// <param name="K">How many neurons the probe may read.</param>
/// <param name="Neurons">The chosen neuron (dimension) indices, most informative first.</param>
/// <param name="TestAccuracy">Held-out accuracy of a logistic probe on those neurons only.</param>
/// <param name="TestAuc">Held-out ROC AUC of that probe.</param>
public sealed record SparseProbeRow(string Method, int K, IReadOnlyList<int> Neurons, double TestAccuracy, double TestAuc);
