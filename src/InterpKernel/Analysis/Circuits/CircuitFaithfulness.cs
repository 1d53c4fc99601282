namespace InterpKernel.Analysis;

/// <summary>How much of the clean–corrupted metric difference a circuit recovers on its own.</summary>
/// <param name="Clean">The mean metric of the full model on the clean prompts.</param>
/// <param name="Corrupted">The mean metric with every edge patched (the corrupted run, or the mean-ablated one).</param>
/// <param name="Circuit">The mean metric with only the circuit's edges left clean.</param>
/// <param name="CircuitEdges">Edges in the circuit.</param>
/// <param name="TotalEdges">Edges in the graph.</param>
public sealed record CircuitFaithfulness(double Clean, double Corrupted, double Circuit, int CircuitEdges, int TotalEdges)
{
    /// <summary><c>(circuit − corrupted) / (clean − corrupted)</c>: 1 when the circuit does all the work.</summary>
    public double Recovered => (Circuit - Corrupted) / (Clean - Corrupted);

    /// <summary>The fraction of the graph's edges in the circuit.</summary>
    public double EdgeFraction => TotalEdges == 0 ? 0 : (double)CircuitEdges / TotalEdges;

    /// <inheritdoc />
    public override string ToString() =>
        $"circuit of {CircuitEdges}/{TotalEdges} edges ({EdgeFraction:P1}) recovers {Recovered:P1} (clean {Clean:G4}, corrupted {Corrupted:G4}, circuit {Circuit:G4})";
}
