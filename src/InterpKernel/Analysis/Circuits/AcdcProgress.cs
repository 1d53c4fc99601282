namespace InterpKernel.Analysis;

/// <summary>How far an ACDC run has got.</summary>
/// <param name="Done">Edges decided so far.</param>
/// <param name="Total">Edges in the graph.</param>
/// <param name="Edge">The edge just decided.</param>
/// <param name="Kept">Whether it stayed in the circuit.</param>
/// <param name="Metric">The metric of the circuit as it now stands.</param>
public readonly record struct AcdcProgress(int Done, int Total, string Edge, bool Kept, double Metric)
{
    /// <summary>The fraction done, 0 to 1.</summary>
    public double Fraction => Total == 0 ? 1 : (double)Done / Total;
}
