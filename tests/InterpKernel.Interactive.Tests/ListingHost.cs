using InterpKernel.Notebook.Hosting;

namespace InterpKernel.Interactive.Tests;

/// <summary>A host with nothing behind it, for asking the dispatcher which magics exist.</summary>
internal sealed class ListingHost : IKernelHost
{
    public MagicDispatcher Magics { get; } = new();

    public TextWriter Out { get; } = new StringWriter();

    public TextWriter Error { get; } = new StringWriter();

    public CancellationToken CancellationToken => CancellationToken.None;

    public DisplayHandle Display(object? value, string? mimeType = null) => throw new NotSupportedException();

    public void SetVariable(string name, object? value) => throw new NotSupportedException();

    public bool TryGetVariable(string name, out object? value)
    {
        value = null;
        return false;
    }
}
