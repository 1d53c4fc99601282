namespace InterpKernel.Analysis;

/// <summary>How <see cref="CircuitDiscovery.EdgeAttribution"/> estimates each edge's effect.</summary>
public enum EdgeAttributionMethod
{
    /// <summary>
    /// Edge attribution patching: (corrupted − clean sender output) · gradient of the metric at the receiver input,
    /// with the gradient taken on the clean run.
    /// </summary>
    Eap,
    /// <summary>
    /// EAP with integrated gradients: the gradient is averaged over runs whose input embeddings move in steps from
    /// the corrupted to the clean prompt.
    /// </summary>
    EapIg,
}
