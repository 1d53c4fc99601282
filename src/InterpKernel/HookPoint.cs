using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel;

/// <summary>
/// An identity module with a TransformerLens name (<c>blocks.1.attn.hook_pattern</c>) through which one activation
/// passes. Hook functions added to it can read or replace the activation. Components call it through
/// <c>call()</c> so TorchSharp's own module hooks fire too.
/// </summary>
public sealed class HookPoint : nn.Module<Tensor, Tensor>
{
    readonly List<(long Id, HookFunction Function)> _hooks = new();
    long _nextId;

    /// <summary>Creates a hook point with its full dotted name.</summary>
    public HookPoint(string name) : base(name)
    {
        Name = name;
        Layer = HookNames.LayerOf(name);
    }

    /// <summary>The full TransformerLens-compatible name, e.g. <c>blocks.0.hook_resid_pre</c>.</summary>
    public string Name { get; }

    /// <summary>The block this hook belongs to, or <c>null</c> for embedding and final hooks.</summary>
    public int? Layer { get; }

    /// <summary>Whether any hook function is attached (components use it to skip work nobody reads).</summary>
    public bool HasHooks => _hooks.Count > 0;

    /// <summary>How many hook functions are attached.</summary>
    public int HookCount => _hooks.Count;

    /// <summary>Attaches a hook function; the returned handle removes it when disposed.</summary>
    public IDisposable Add(HookFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        long id = _nextId++;
        _hooks.Add((id, function));
        return new Removal(this, id);
    }

    /// <summary>Removes every hook function from this point.</summary>
    public void Clear() => _hooks.Clear();

    /// <inheritdoc />
    public override Tensor forward(Tensor activation)
    {
        if (_hooks.Count == 0) return activation;
        // A hook may add or remove hooks while running; iterate over a snapshot.
        var snapshot = _hooks.ToArray();
        foreach (var (_, function) in snapshot)
        {
            Tensor? replacement;
            using (var scope = NewDisposeScope())
            {
                replacement = function(activation, this);
                // The replacement flows on with the block; whatever else the hook made lives as long as the pass.
                if (replacement is not null) scope.MoveToOuter(replacement);
                if (_pass is { } pass) scope.MoveToOther(pass, scope.DisposablesView);
                else scope.MoveToOuter(scope.DisposablesView);
            }
            if (replacement is null || ReferenceEquals(replacement, activation)) continue;
            if (!replacement.shape.SequenceEqual(activation.shape))
                throw new InvalidOperationException(
                    $"A hook on '{Name}' returned a tensor of shape [{string.Join(", ", replacement.shape)}], " +
                    $"but the activation has shape [{string.Join(", ", activation.shape)}]: return a tensor of the same shape, or null to keep it.");
            activation = replacement;
        }
        return activation;
    }

    [ThreadStatic] static DisposeScope? _pass;

    /// <summary>
    /// Marks <paramref name="passScope"/> as the dispose scope of the forward pass running on this thread until the
    /// returned handle is disposed: tensors hooks make (other than the replacement they return) are kept there rather
    /// than in the scope of the block that happens to be running.
    /// </summary>
    internal static IDisposable EnterPass(DisposeScope? passScope)
    {
        var previous = _pass;
        _pass = passScope;
        return new PassHandle(previous);
    }

    sealed class PassHandle(DisposeScope? previous) : IDisposable
    {
        public void Dispose() => _pass = previous;
    }

    /// <inheritdoc />
    public override string ToString() => $"HookPoint({Name}, {_hooks.Count} hooks)";

    sealed class Removal(HookPoint point, long id) : IDisposable
    {
        bool _done;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            point._hooks.RemoveAll(h => h.Id == id);
        }
    }
}
