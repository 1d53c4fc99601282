namespace InterpKernel.Notebook.Views;

/// <summary>A named set of points for a scatter chart, optionally with one label per point (shown on hover).</summary>
/// <param name="Name">What the points are, shown in the legend.</param>
/// <param name="X">The horizontal coordinates.</param>
/// <param name="Y">The vertical coordinates, as many as <paramref name="X"/>.</param>
/// <param name="Labels">One label per point, such as a token or "L1H3", or null.</param>
public sealed record ScatterSeries(string Name, float[] X, float[] Y, string[]? Labels = null)
{
    /// <summary>The name, checked: it must not be empty.</summary>
    public string Name { get; } = string.IsNullOrWhiteSpace(Name)
        ? throw new ArgumentException("a set of points needs a non-empty name.", nameof(Name))
        : Name;

    /// <summary>The horizontal coordinates.</summary>
    public float[] X { get; } = X ?? throw new ArgumentNullException(nameof(X));

    /// <summary>The vertical coordinates, checked: one per x.</summary>
    public float[] Y { get; } = Y is null ? throw new ArgumentNullException(nameof(Y))
        : Y.Length != X!.Length ? throw new ArgumentException($"{X.Length} x values but {Y.Length} y values: give one y per x.", nameof(Y))
        : Y;

    /// <summary>One label per point, checked: as many as the points, or null.</summary>
    public string[]? Labels { get; } = Labels is not null && Labels.Length != X!.Length
        ? throw new ArgumentException($"{Labels.Length} labels for {X.Length} points: give one label per point, or none.", nameof(Labels))
        : Labels;
}
