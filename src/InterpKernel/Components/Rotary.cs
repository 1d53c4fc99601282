using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Components;

/// <summary>
/// Rotary position embeddings on the first <c>rotary_dim</c> dimensions of each head: in the GPT-NeoX arrangement
/// (rotate the two halves, as GPT-NeoX, Llama and Qwen2 do) or interleaved (rotate adjacent pairs, GPT-J), with
/// optional frequency scaling (<see cref="RopeScaling"/>).
/// </summary>
internal sealed class Rotary : IDisposable
{
    readonly Tensor _cos; // [n_ctx, rotary_dim], float32
    readonly Tensor _sin; // [n_ctx, rotary_dim], float32
    readonly int _dims;
    readonly bool _interleaved;
    readonly double _base;
    readonly RopeScaling? _scaling;
    readonly int _maxPositions;
    readonly Device _device;

    public Rotary(int rotaryDims, int nCtx, double theBase, Device device)
        : this(rotaryDims, nCtx, theBase, device, scaling: null, maxPositions: nCtx, interleaved: false)
    {
    }

    public Rotary(int rotaryDims, int nCtx, double theBase, Device device, RopeScaling? scaling, int maxPositions, bool interleaved)
    {
        _dims = rotaryDims;
        _interleaved = interleaved;
        _base = theBase;
        _scaling = scaling;
        _maxPositions = maxPositions;
        _device = device;
        using var scope = NewDisposeScope();
        // Computed in float32 from integer exponents, exactly as Hugging Face does, so positions match bit for bit.
        var (cos, sin) = Table(nCtx, maxPositions);
        _cos = cos.to(device).DetachFromDisposeScope();
        _sin = sin.to(device).DetachFromDisposeScope();
    }

    (Tensor Cos, Tensor Sin) Table(long positions, long seqLen)
    {
        var (invFreq, attention) = RotaryFrequencies.Compute(_dims, _base, _scaling, _maxPositions, seqLen);
        var freqs = outer(arange(positions, ScalarType.Float32), invFreq); // [positions, rotary_dim / 2]
        var emb = _interleaved ? freqs.repeat_interleave(2, -1) : cat([freqs, freqs], -1); // [positions, rotary_dim]
        return attention == 1.0 ? (emb.cos(), emb.sin()) : (emb.cos() * attention, emb.sin() * attention);
    }

    /// <summary>Rotates <paramref name="x"/> <c>[batch, pos, head_index, d_head]</c> for positions starting at <paramref name="offset"/>.</summary>
    public Tensor Apply(Tensor x, long offset)
    {
        long pos = x.shape[1];
        var (cosTable, sinTable) = Tables(offset + pos);
        var cos = cosTable.narrow(0, offset, pos).unsqueeze(0).unsqueeze(2); // [1, pos, 1, rotary_dim]
        var sin = sinTable.narrow(0, offset, pos).unsqueeze(0).unsqueeze(2);
        return Rotate(x, cos, sin);
    }

    /// <summary>Rotates <paramref name="x"/> <c>[batch, pos, head_index, d_head]</c> for per-row <paramref name="positions"/> <c>[batch, pos]</c>.</summary>
    public Tensor Apply(Tensor x, Tensor positions, long seen)
    {
        long batch = positions.shape[0], pos = positions.shape[1];
        var (cosTable, sinTable) = Tables(seen);
        var flat = positions.reshape(-1);
        var cos = cosTable.index_select(0, flat).view(batch, pos, 1, _dims); // [batch, pos, 1, rotary_dim]
        var sin = sinTable.index_select(0, flat).view(batch, pos, 1, _dims);
        return Rotate(x, cos, sin);
    }

    /// <summary>The cos and sin tables once <paramref name="seen"/> positions (cached and new) are in play.</summary>
    (Tensor Cos, Tensor Sin) Tables(long seen)
    {
        if (_scaling is not { Type: "dynamic" } || seen <= (_scaling.OriginalMaxPositions ?? _maxPositions)) return (_cos, _sin);
        // Dynamic NTK scaling depends on the length seen so far, as Hugging Face recomputes it per call.
        var (c, s) = Table(seen, seen);
        return (c.to(_device), s.to(_device));
    }

    Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        var inputType = x.dtype;
        var x32 = x.to(ScalarType.Float32);
        var rot = x32.narrow(-1, 0, _dims);
        var rotated = rot * cos + RotateHalf(rot) * sin;
        var result = _dims == x.shape[^1] ? rotated : cat([rotated, x32.narrow(-1, _dims, x.shape[^1] - _dims)], -1);
        return result.to(inputType);
    }

    Tensor RotateHalf(Tensor rot)
    {
        if (_interleaved)
        {
            // (x0, x1, x2, x3, ...) -> (-x1, x0, -x3, x2, ...)
            long[] shape = [.. rot.shape[..^1], _dims / 2, 2];
            var pairs = rot.reshape(shape);
            return stack([-pairs.select(-1, 1), pairs.select(-1, 0)], -1).reshape(rot.shape);
        }
        int half = _dims / 2;
        return cat([-rot.narrow(-1, half, half), rot.narrow(-1, 0, half)], -1);
    }

    public void Dispose()
    {
        _cos.Dispose();
        _sin.Dispose();
    }
}
