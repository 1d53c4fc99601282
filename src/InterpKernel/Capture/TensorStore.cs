using System.Collections;
using static TorchSharp.torch;

namespace InterpKernel;

/// <summary>
/// Tensors by hook name, kept outside autograd and every dispose scope until the store is disposed or hands them
/// on. This is the one place activations are kept beyond the forward pass that made them: <see cref="ActivationCache"/>
/// holds one, and every analysis that captures activations fills one through <see cref="Hook"/> or
/// <see cref="ActivationCapture"/>.
/// </summary>
internal sealed class TensorStore : IDisposable, IEnumerable<KeyValuePair<string, Tensor>>
{
    readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);

    public Tensor this[string name] => _tensors.TryGetValue(name, out var t) ? t
        : throw new KeyNotFoundException($"'{name}' was not captured in this run.");

    public bool Contains(string name) => _tensors.ContainsKey(name);

    public bool TryGetValue(string name, out Tensor tensor) => _tensors.TryGetValue(name, out tensor!);

    public IReadOnlyCollection<string> Names => _tensors.Keys;

    public int Count => _tensors.Count;

    /// <summary>Keeps <paramref name="value"/> (a new handle, cut from autograd) under <paramref name="name"/>, freeing what was there.</summary>
    public void Set(string name, Tensor value)
    {
        var kept = value.detach().DetachFromDisposeScope();
        if (_tensors.Remove(name, out var old)) old.Dispose();
        _tensors[name] = kept;
    }

    /// <summary>
    /// A hook that keeps what <paramref name="select"/> makes of each activation (the activation itself when null),
    /// converted to <paramref name="dtype"/> when given, under the hook's name. What the selection makes on the way
    /// is freed in the hook.
    /// </summary>
    /// <param name="select">What to keep of the activation; null keeps it whole.</param>
    /// <param name="dtype">The type to keep it in; null keeps its own.</param>
    /// <param name="key">The name to keep it under; null means the hook's name.</param>
    public HookFunction Hook(Func<Tensor, HookPoint, Tensor>? select = null, ScalarType? dtype = null, string? key = null) => (activation, hook) =>
    {
        using var scope = NewDisposeScope();
        var value = select is null ? activation : select(activation, hook);
        Set(key ?? hook.Name, dtype is { } d ? value.to(d) : value);
        return null;
    };

    /// <summary>Removes the tensor under <paramref name="name"/> and gives it to the caller, who disposes it.</summary>
    public Tensor Take(string name) => _tensors.Remove(name, out var t) ? t
        : throw new KeyNotFoundException($"'{name}' was not captured in this run.");

    /// <summary>Moves every tensor into <paramref name="other"/>, transformed by <paramref name="map"/> (the input is freed), leaving this store empty.</summary>
    public void MoveTo(TensorStore other, Func<Tensor, Tensor> map)
    {
        foreach (var (name, t) in _tensors)
        {
            using var scope = NewDisposeScope();
            using (t) other.Set(name, map(t));
        }
        _tensors.Clear();
    }

    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() => _tensors.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
        _tensors.Clear();
    }
}
