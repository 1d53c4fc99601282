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

    /// <summary>
    /// What a cell's <c>Thread.Sleep(milliseconds)</c> becomes: a wait that ends early, with
    /// <see cref="OperationCanceledException"/>, when the cell is interrupted.
    /// </summary>
    /// <param name="milliseconds">How long to wait; <see cref="Timeout.Infinite"/> waits until the interrupt.</param>
    public static void Sleep(int milliseconds)
    {
        var token = Current;
        token.WaitHandle.WaitOne(milliseconds);
        token.ThrowIfCancellationRequested();
    }

    /// <inheritdoc cref="Sleep(int)"/>
    /// <param name="duration">How long to wait.</param>
    public static void Sleep(TimeSpan duration) => Sleep(checked((int)duration.TotalMilliseconds));
}
