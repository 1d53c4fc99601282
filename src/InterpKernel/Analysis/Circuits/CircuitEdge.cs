namespace InterpKernel.Analysis;

/// <summary>
/// One edge of a <see cref="CircuitGraph"/>: the output of node <see cref="From"/> as read by the receiver input
/// <see cref="To"/> (<c>a{L}.h{H}&lt;q&gt;</c>, <c>&lt;k&gt;</c>, <c>&lt;v&gt;</c>, <c>m{L}</c> or <c>logits</c>).
/// </summary>
public sealed class CircuitEdge
{
    internal CircuitEdge(string from, string to, string toNode, int sender, int receiver)
    {
        From = from;
        To = to;
        ToNode = toNode;
        Sender = sender;
        Receiver = receiver;
    }

    /// <summary>The sending node's name.</summary>
    public string From { get; }

    /// <summary>The receiver input's name (a node name, with <c>&lt;q&gt;</c>, <c>&lt;k&gt;</c> or <c>&lt;v&gt;</c> for heads).</summary>
    public string To { get; }

    /// <summary>The receiving node's name (<see cref="To"/> without the input suffix).</summary>
    public string ToNode { get; }

    /// <summary>
    /// The edge's score: for attribution methods the estimated change in the metric when this edge alone is patched from
    /// the corrupted run; for ACDC the change measured when the edge was tried.
    /// </summary>
    public double Score { get; set; }

    /// <summary>Whether the edge belongs to the circuit.</summary>
    public bool InCircuit { get; set; } = true;

    /// <summary>The edge's name, <c>From-&gt;To</c>, as EAP-IG writes it.</summary>
    public string Name => $"{From}->{To}";

    internal int Sender { get; }
    internal int Receiver { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Score:G4}{(InCircuit ? " (in circuit)" : "")}";
}
