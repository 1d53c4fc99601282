namespace InterpKernel.Analysis;

/// <summary>
/// A node of a <see cref="CircuitGraph"/>, named as the EAP-IG project names it: <c>input</c>, <c>a{L}.h{H}</c>,
/// <c>m{L}</c>, <c>logits</c>.
/// </summary>
/// <param name="Name">The node's name.</param>
/// <param name="Kind">What the node computes.</param>
/// <param name="Layer">The layer (−1 for <c>input</c>, <c>n_layers</c> for <c>logits</c>).</param>
/// <param name="Head">The head index of an attention head, else −1.</param>
public sealed record CircuitNode(string Name, CircuitNodeKind Kind, int Layer, int Head)
{
    /// <summary>Whether any edge into or out of this node is in the circuit.</summary>
    public bool InCircuit { get; internal set; } = true;
}
