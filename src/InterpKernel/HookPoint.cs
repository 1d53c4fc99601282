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
    readonly List<(long Id, HookFunction Function)> _backwardHooks = new();
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

    /// <summary>Whether any hook function, forward or backward, is attached (components use it to skip work nobody reads).</summary>
    public bool HasHooks => _hooks.Count > 0 || _backwardHooks.Count > 0;

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

    /// <summary>
    /// Attaches a backward hook: a forward pass run while it is attached (with autograd on) routes the gradient with
    /// respect to this activation through it when a backward pass runs. The returned handle removes it.
    /// </summary>
    public IDisposable AddBackward(HookFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        long id = _nextId++;
        _backwardHooks.Add((id, function));
        return new Removal(this, id);
    }

    /// <summary>Whether any backward hook is attached.</summary>
    public bool HasBackwardHooks => _backwardHooks.Count > 0;

    /// <summary>Removes every hook function (forward and backward) from this point.</summary>
    public void Clear()
    {
        _hooks.Clear();
        _backwardHooks.Clear();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor activation)
    {
        if (_backwardHooks.Count > 0 && is_grad_enabled()) activation = WithBackwardHooks(activation);
        if (_hooks.Count == 0) return activation;
        // A hook may add or remove hooks while running; iterate over a snapshot.
        var snapshot = _hooks.ToArray();
        foreach (var (_, function) in snapshot)
        {
            Tensor? replacement;
            using (var scope = NewDisposeScope())
            {
                replacement = function(activation, this);
                // The replacement flows on with the pass. Whatever else the hook made is handed, scope by scope, to the
                // caller of the pass (see HookFunction): it outlives the pass.
                if (replacement is not null) scope.MoveToOuter(replacement);
                var made = scope.DisposablesView;
                scope.MoveToOuter(made);
                _made?.AddRange(made);
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

    [ThreadStatic] static List<IDisposable>? _made;

    /// <summary>
    /// Collects, until the returned handle is disposed, the tensors that hooks on this thread make besides their
    /// replacements, so that the pass can move them out of its own dispose scopes (<see cref="HandOver"/>).
    /// </summary>
    internal static PassCollector CollectHookTensors() => new(_made);

    /// <summary>Moves the tensors hooks made so far out of <paramref name="scope"/> into its outer scope.</summary>
    internal static void HandOver(DisposeScope scope)
    {
        if (_made is { Count: > 0 } made) scope.MoveToOuter(made);
    }

    internal sealed class PassCollector : IDisposable
    {
        readonly List<IDisposable>? _previous;

        internal PassCollector(List<IDisposable>? previous)
        {
            _previous = previous;
            _made = new List<IDisposable>();
        }

        public void Dispose()
        {
            // A pass run inside another pass's hook hands what its hooks made on to the outer pass.
            if (_previous is not null && _made is not null) _previous.AddRange(_made);
            _made = _previous;
        }
    }

    Tensor WithBackwardHooks(Tensor activation)
    {
        // Weights need no gradient, so the first hooked activation may not carry one: a zero that does makes the
        // backward pass reach it (and everything upstream of later hooks).
        if (!activation.requires_grad) activation = activation + zeros(1, activation.dtype, activation.device).requires_grad_(true);
        return GradientHook.Wrap(activation, this, _backwardHooks.Select(h => h.Function).ToArray());
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
            point._backwardHooks.RemoveAll(h => h.Id == id);
        }
    }
}
