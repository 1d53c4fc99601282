using System.ComponentModel;
using InterpKernel.Notebook.Hosting;

namespace InterpKernel.Kernel.Execution;

/// <summary>
/// The members every C# cell can use without qualification: <c>display(...)</c> and <c>Kernel</c>.
/// </summary>
#pragma warning disable IDE1006 // Lower-case names match the notebook convention display(x).
public sealed class ScriptGlobals
{
    private readonly KernelHost _host;

    internal ScriptGlobals(KernelHost host)
    {
        _host = host;
    }

    /// <summary>The host running this notebook: outputs, variables, magic commands.</summary>
    public IKernelHost Kernel => _host;

    /// <summary>Shows a value as an output of the running cell.</summary>
    /// <param name="value">The value; formatters choose its HTML and plain-text forms.</param>
    /// <returns>A handle whose <c>Update</c> replaces the output in place.</returns>
    public DisplayHandle display(object? value) => _host.Display(value);

    /// <summary>Shows a value as the given MIME type, for example an HTML string as <c>text/html</c>.</summary>
    /// <param name="value">The value.</param>
    /// <param name="mimeType">The MIME type.</param>
    /// <returns>A handle whose <c>Update</c> replaces the output in place.</returns>
    public DisplayHandle display(object? value, string mimeType) => _host.Display(value, mimeType);

    /// <summary>Clears the outputs this cell showed so far, as Jupyter's <c>clear_output</c>.</summary>
    /// <param name="wait">True to clear only when the next output arrives, so that a loop redrawing a view does not flicker.</param>
    public void clear_output(bool wait = false) => _host.ClearOutput(wait);

    /// <summary>The running cell's cancellation token; the engine inserts checks of it into loops.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public CancellationToken __ik_token => _host.CancellationToken;

    /// <summary>Registers the value of a top-level <c>using var</c> of a cell for disposal when the cell ends.</summary>
    /// <typeparam name="T">The declared type.</typeparam>
    /// <param name="value">The value, possibly null.</param>
    /// <returns><paramref name="value"/>.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public T __ik_using<T>(T value) where T : IDisposable?
    {
        CellScope.Current?.Using(value);
        return value;
    }

    /// <summary>Values that the host binds into the script with <see cref="IKernelHost.SetVariable"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public IReadOnlyDictionary<string, object?> __ik_vars => _host.PendingVariables;
}
#pragma warning restore IDE1006
