using InterpKernel.Notebook.Hosting;

namespace InterpKernel.Kernel.Execution;

/// <summary>
/// The <see cref="IKernelHost"/> of a <see cref="CellEngine"/>: it sends displays to the sink of the cell
/// that is running and binds variables into the engine's script state.
/// </summary>
public sealed class KernelHost : IKernelHost
{
    private readonly CellEngine _engine;
    private readonly Dictionary<string, object?> _pendingVariables = new(StringComparer.Ordinal);
    private CellContext? _cell;

    internal KernelHost(CellEngine engine)
    {
        _engine = engine;
    }

    /// <inheritdoc />
    public MagicDispatcher Magics { get; } = new();

    /// <inheritdoc />
    public TextWriter Out => _cell?.Out ?? Console.Out;

    /// <inheritdoc />
    public TextWriter Error => _cell?.Error ?? Console.Error;

    /// <inheritdoc />
    public CancellationToken CancellationToken => _cell?.Token ?? CancellationToken.None;

    internal IReadOnlyDictionary<string, object?> PendingVariables => _pendingVariables;

    /// <inheritdoc />
    public DisplayHandle Display(object? value, string? mimeType = null)
    {
        var cell = _cell ?? throw new InvalidOperationException(
            "display(...) was called while no cell is running: call it from the code of a cell.");
        var handle = new DisplayHandle(Guid.NewGuid().ToString("N"), (h, v, m) => Send(cell, h.DisplayId, v, m, update: true));
        Send(cell, handle.DisplayId, value, mimeType, update: false);
        return handle;
    }

    /// <inheritdoc />
    public void SetVariable(string name, object? value)
    {
        if (!Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(name))
        {
            throw new ArgumentException($"'{name}' is not a valid C# identifier: pick a variable name like 'model' or 'cache2'.", nameof(name));
        }

        lock (_pendingVariables)
        {
            _pendingVariables[name] = value;
        }

        _engine.BindVariable(name, value);
    }

    /// <inheritdoc />
    public bool TryGetVariable(string name, out object? value) => _engine.TryGetVariable(name, out value);

    internal void Enter(CellContext cell) => _cell = cell;

    internal void Exit() => _cell = null;

    private static void Send(CellContext cell, string displayId, object? value, string? mimeType, bool update)
    {
        // Text printed before the display belongs above it.
        cell.Out.Flush();
        cell.Error.Flush();
        cell.Sink.Display(DisplayFormatter.ToBundle(value, mimeType), displayId, update);
    }
}
