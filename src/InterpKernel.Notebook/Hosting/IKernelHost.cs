namespace InterpKernel.Notebook.Hosting;

/// <summary>
/// What a notebook host (the Jupyter kernel or the headless runner) offers to magic commands and
/// extensions: output, variables shared with C# cells, and the cancellation of the running cell.
/// </summary>
public interface IKernelHost
{
    /// <summary>Shows a value as a rich output of the running cell.</summary>
    /// <param name="value">The value to show; it is formatted into a MIME bundle.</param>
    /// <param name="mimeType">A MIME type to force (for example <c>text/html</c> for an HTML string), or null to let the formatters choose.</param>
    /// <returns>A handle whose <see cref="DisplayHandle.Update(object?)"/> replaces this output in place.</returns>
    DisplayHandle Display(object? value, string? mimeType = null);

    /// <summary>Binds a variable into the C# script state so that the next cell can use it by name.</summary>
    /// <param name="name">A valid C# identifier.</param>
    /// <param name="value">The value; the variable gets the value's public runtime type, or <see cref="object"/> for null.</param>
    void SetVariable(string name, object? value);

    /// <summary>Reads a variable that a C# cell declared.</summary>
    /// <param name="name">The variable name.</param>
    /// <param name="value">The current value when found.</param>
    /// <returns>True when the script state has a variable of that name.</returns>
    bool TryGetVariable(string name, out object? value);

    /// <summary>
    /// The variables of the script state, each under its current value, in the order they were last declared (the
    /// most recent last). Hosts that cannot list variables return none.
    /// </summary>
    /// <returns>Name and value of every variable.</returns>
    IReadOnlyList<KeyValuePair<string, object?>> Variables() => [];

    /// <summary>Standard output of the running cell.</summary>
    TextWriter Out { get; }

    /// <summary>Standard error of the running cell.</summary>
    TextWriter Error { get; }

    /// <summary>Cancelled when the user interrupts the running cell.</summary>
    CancellationToken CancellationToken { get; }

    /// <summary>The magic commands this host understands; extensions register theirs here.</summary>
    MagicDispatcher Magics { get; }
}
