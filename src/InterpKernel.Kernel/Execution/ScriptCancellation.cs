using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace InterpKernel.Kernel.Execution;

/// <summary>
/// The cancellation token of the running cell, reachable from code that cannot see the script globals
/// (methods of classes declared in a cell). The engine's rewriter inserts checks against it.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ScriptCancellation
{
    // A reference swapped atomically, so checks in tight loops stay lock-free.
    private static volatile StrongBox<CancellationToken> _current = new(CancellationToken.None);

    /// <summary>The token of the cell that is running now.</summary>
    public static CancellationToken Current
    {
        get => _current.Value;
        internal set => _current = new StrongBox<CancellationToken>(value);
    }
}
