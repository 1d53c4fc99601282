using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>Tensors by hook name, kept outside every dispose scope until the store is disposed.</summary>
internal sealed class TensorStore : IDisposable
{
    readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);

    public Tensor this[string name] => _tensors.TryGetValue(name, out var t) ? t
        : throw new KeyNotFoundException($"'{name}' was not captured in this run.");

    public bool Contains(string name) => _tensors.ContainsKey(name);

    public IEnumerable<string> Names => _tensors.Keys;

    public void Set(string name, Tensor value)
    {
        var kept = value.DetachFromDisposeScope();
        if (_tensors.Remove(name, out var old) && !ReferenceEquals(old, kept)) old.Dispose();
        _tensors[name] = kept;
    }

    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
        _tensors.Clear();
    }
}
