using InterpKernel.Notebook.Hosting;
using TorchSharp;

namespace InterpKernel.Kernel.Execution;

/// <summary>
/// The TorchSharp dispose scope around the C# code of one cell. TorchSharp keeps the current scope per thread, so
/// <see cref="Run{T}"/> opens it on the thread that runs the cell's code; every tensor that code creates there joins
/// it. When the cell ends, <see cref="CloseAll"/> keeps every tensor the notebook can still reach from its variables
/// (directly or through objects, collections, closures) and disposes the rest, the cell's temporaries.
/// </summary>
/// <remarks>
/// Values of the cell's top-level using declarations (see <see cref="UsingDeclarationRewriter"/>) are disposed first.
/// Code after an <c>await</c> may continue on another thread, outside the scope: what it creates is never disposed
/// here. A walk too large to finish keeps everything: a tensor is disposed only when it is known to be unreachable.
/// </remarks>
internal sealed class CellScope
{
    // The engine leads to the compiler's state and to the open scopes themselves, which hold every tensor of a cell.
    private static readonly HashSet<Type> NotEntered = [typeof(CellEngine), typeof(CellScope)];

    private static readonly AsyncLocal<CellScope?> Running = new();

    private DisposeScope? _scope;
    private readonly List<IDisposable> _usings = [];

    /// <summary>The scope of the code running on this thread or in its continuations, or null outside a cell.</summary>
    public static CellScope? Current => Running.Value;

    /// <summary>
    /// Opens the scope on the calling thread and runs <paramref name="body"/> there. Call it first thing on the
    /// cell's own thread: the scope stays that thread's current one until the thread ends.
    /// </summary>
    public Task<T> Run<T>(Func<Task<T>> body)
    {
        _scope = torch.NewDisposeScope();
        Running.Value = this;
        return body();
    }

    /// <summary>Disposes <paramref name="value"/> when the cell ends, after the ones registered before it.</summary>
    public void Using(IDisposable? value)
    {
        if (value is null)
        {
            return;
        }

        lock (_usings)
        {
            _usings.Add(value);
        }
    }

    /// <summary>
    /// Ends the cells of <paramref name="scopes"/>: disposes their using declarations, then the tensors they made that
    /// <paramref name="roots"/> do not reach, after one walk of the roots; empties the list.
    /// </summary>
    /// <param name="scopes">The scopes of the cell's code segments that finished.</param>
    /// <param name="roots">The values that stay: every script variable, shadowed ones included.</param>
    public static void CloseAll(List<CellScope> scopes, IEnumerable<object?> roots)
    {
        if (scopes.Count == 0)
        {
            return;
        }

        // Using declarations end with the cell, last declared first disposed, as at the end of a C# block.
        foreach (var scope in Enumerable.Reverse(scopes))
        {
            scope.DisposeUsings();
        }

        ReachableTensors? reachable = null;
        if (scopes.Any(s => s._scope is { DisposablesCount: > 0 }))
        {
            try
            {
                reachable = ReachableTensors.From(roots.Concat(ScriptStatics()), NotEntered);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // An object that fails when read (a property of a disposed native object, say): keep every tensor.
            }
        }

        foreach (var scope in scopes)
        {
            scope.Close(reachable);
        }

        scopes.Clear();
    }

    private void DisposeUsings()
    {
        lock (_usings)
        {
            for (var i = _usings.Count - 1; i >= 0; i--)
            {
                try
                {
                    _usings[i].Dispose();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // As in C#, a failing Dispose does not stop the others; the cell's output says so.
                    Console.Error.WriteLine($"Disposing the {_usings[i].GetType().Name} of a using declaration failed: {e.Message}");
                }
            }

            _usings.Clear();
        }
    }

    // Disposes the tensors of the scope that the walk did not reach (none when there was no complete walk), and closes it.
    private void Close(ReachableTensors? reachable)
    {
        var scope = Interlocked.Exchange(ref _scope, null);
        if (scope is null)
        {
            return;
        }

        var kept = reachable is { Complete: true }
            ? scope.DisposablesView.Where(d => d is not torch.Tensor t || reachable.Tensors.Contains(t)).ToList()
            : scope.DisposablesView.ToList();
        scope.Detach(kept);
        scope.Dispose();
    }

    /// <summary>The values of static fields of the types cells declared (a cell's own class may keep a tensor there).</summary>
    private static List<object?> ScriptStatics()
    {
        const System.Reflection.BindingFlags Statics = System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public
            | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.DeclaredOnly;
        var values = new List<object?>();
        // Roslyn names the assembly of each submission "ℛ*" followed by a GUID and the submission number.
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name?.StartsWith("\u211B*", StringComparison.Ordinal) == true))
        {
            foreach (var field in assembly.GetTypes().Where(t => !t.ContainsGenericParameters).SelectMany(t => t.GetFields(Statics)).Where(f => !f.IsLiteral))
            {
                try
                {
                    values.Add(field.GetValue(null));
                }
                catch (TypeInitializationException)
                {
                    // A type whose initializer failed holds nothing.
                }
            }
        }

        return values;
    }
}
