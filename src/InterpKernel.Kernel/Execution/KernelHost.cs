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
    /// <remarks>The value the variable held before is disposed when it is <see cref="IDisposable"/> and no other variable refers to it.</remarks>
    public void SetVariable(string name, object? value)
    {
        if (!Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(name))
        {
            throw new ArgumentException($"'{name}' is not a valid C# identifier: pick a variable name like 'model' or 'cache2'.", nameof(name));
        }

        var replaced = _engine.TryGetVariable(name, out var old) ? old : null;
        lock (_pendingVariables)
        {
            _pendingVariables[name] = value;
        }

        _engine.BindVariable(name, value);
        // A magic that rebinds a variable (a second #!run's cache, a second #!model load's model) frees what the
        // variable held, unless another variable still refers to it; earlier submissions would keep it alive forever.
        if (replaced is IDisposable disposable && !ReferenceEquals(replaced, value)
            && !_engine.Variables().Any(v => ReferenceEquals(v.Value, replaced)))
        {
            disposable.Dispose();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<KeyValuePair<string, object?>> Variables() => _engine.Variables();

    /// <inheritdoc />
    public bool TryGetVariable(string name, out object? value) => _engine.TryGetVariable(name, out value);

    internal void ClearOutput(bool wait)
    {
        var cell = _cell ?? throw new InvalidOperationException(
            "clear_output() was called while no cell is running: call it from the code of a cell.");
        cell.Out.Flush();
        cell.Error.Flush();
        cell.Sink.ClearOutput(wait);
    }

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
