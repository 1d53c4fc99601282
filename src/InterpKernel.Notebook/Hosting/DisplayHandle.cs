namespace InterpKernel.Notebook.Hosting;

/// <summary>
/// One displayed output that can be replaced in place later (Jupyter's <c>update_display_data</c>),
/// for example a progress view that a loop refreshes.
/// </summary>
public sealed class DisplayHandle
{
    private readonly Action<DisplayHandle, object?, string?> _update;

    /// <summary>Creates a handle for an output that the host already sent.</summary>
    /// <param name="displayId">The display id the host gave the output.</param>
    /// <param name="update">Sends the replacement output; called with this handle, the new value and an optional MIME type.</param>
    public DisplayHandle(string displayId, Action<DisplayHandle, object?, string?> update)
    {
        ArgumentException.ThrowIfNullOrEmpty(displayId);
        ArgumentNullException.ThrowIfNull(update);
        DisplayId = displayId;
        _update = update;
    }

    /// <summary>The display id shared by the output and its updates.</summary>
    public string DisplayId { get; }

    /// <summary>Replaces the output with a new value, formatted by the formatters.</summary>
    /// <param name="value">The new value.</param>
    public void Update(object? value) => _update(this, value, null);

    /// <summary>Replaces the output with a new value shown as the given MIME type.</summary>
    /// <param name="value">The new value.</param>
    /// <param name="mimeType">The MIME type to show it as, for example <c>text/html</c>.</param>
    public void Update(object? value, string mimeType) => _update(this, value, mimeType);
}
