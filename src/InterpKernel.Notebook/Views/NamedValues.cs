namespace InterpKernel.Notebook.Views;

/// <summary>A named series of values: one activation over a prompt, one set of samples, one curve.</summary>
/// <param name="Name">What the values are, shown in legends and selectors.</param>
/// <param name="Values">The values.</param>
public sealed record NamedValues(string Name, float[] Values)
{
    /// <summary>The name, checked: it must not be empty.</summary>
    public string Name { get; } = string.IsNullOrWhiteSpace(Name)
        ? throw new ArgumentException("a series needs a non-empty name.", nameof(Name))
        : Name;

    /// <summary>The values, checked: never null.</summary>
    public float[] Values { get; } = Values ?? throw new ArgumentNullException(nameof(Values));
}
