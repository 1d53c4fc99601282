using static TorchSharp.torch;

namespace InterpKernel;

/// <summary>
/// Keys and values of past positions, per layer, so that generation costs one position per new token.
/// Owns its tensors; dispose it when the generation ends.
/// </summary>
public sealed class KeyValueCache : IDisposable
{
    readonly Tensor?[] _keys;   // per layer [batch, n_kv_heads, past, d_head]
    readonly Tensor?[] _values;
    Tensor? _realKeys;          // [batch, past] bool, only for padded batches

    /// <summary>Creates an empty cache for <paramref name="nLayers"/> layers.</summary>
    public KeyValueCache(int nLayers)
    {
        _keys = new Tensor?[nLayers];
        _values = new Tensor?[nLayers];
    }

    /// <summary>Number of positions already cached (taken from layer 0).</summary>
    public long Length => _keys[0]?.shape[2] ?? 0;

    /// <summary>Positions cached for <paramref name="layer"/>: during a forward pass, earlier layers already hold the new ones.</summary>
    internal long LengthOf(int layer) => _keys[layer]?.shape[2] ?? 0;

    /// <summary>Which cached positions are real tokens (<c>[batch, past]</c>, bool), or null when none is a pad.</summary>
    internal Tensor? RealKeys => _realKeys;

    internal void SetRealKeys(Tensor keys)
    {
        var kept = keys.detach().DetachFromDisposeScope();
        _realKeys?.Dispose();
        _realKeys = kept;
    }

    /// <summary>Appends new keys and values <c>[batch, n_kv_heads, pos, d_head]</c> and returns all of them.</summary>
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        var k = _keys[layer] is null ? keys.alias() : cat([_keys[layer]!, keys], 2);
        var v = _values[layer] is null ? values.alias() : cat([_values[layer]!, values], 2);
        _keys[layer]?.Dispose();
        _values[layer]?.Dispose();
        _keys[layer] = k.DetachFromDisposeScope();
        _values[layer] = v.DetachFromDisposeScope();
        return (k, v);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        for (int i = 0; i < _keys.Length; i++)
        {
            _keys[i]?.Dispose();
            _values[i]?.Dispose();
            _keys[i] = _values[i] = null;
        }
        _realKeys?.Dispose();
        _realKeys = null;
    }
}
