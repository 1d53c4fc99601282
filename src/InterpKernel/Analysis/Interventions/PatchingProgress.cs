namespace InterpKernel.Analysis;

/// <summary>How far a patching sweep has got: <paramref name="Done"/> of <paramref name="Total"/> patches.</summary>
/// <param name="Done">Patches whose metric is known.</param>
/// <param name="Total">Patches in the sweep.</param>
public readonly record struct PatchingProgress(int Done, int Total)
{
    /// <summary>The fraction done, 0 to 1.</summary>
    public double Fraction => Total == 0 ? 1 : (double)Done / Total;
}
