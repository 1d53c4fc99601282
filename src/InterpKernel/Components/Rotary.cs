using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Components;

/// <summary>
/// Rotary position embeddings in the GPT-NeoX arrangement (rotate the two halves of the first
/// <c>rotary_dim</c> dimensions), as GPT-NeoX, Llama and Qwen2 use them.
/// </summary>
internal sealed class Rotary : IDisposable
{
    readonly Tensor _cos; // [n_ctx, rotary_dim], float32
    readonly Tensor _sin; // [n_ctx, rotary_dim], float32
    readonly int _dims;

    public Rotary(int rotaryDims, int nCtx, double theBase, Device device)
    {
        _dims = rotaryDims;
        using var scope = NewDisposeScope();
        // Computed in float32 from integer exponents, exactly as Hugging Face does, so positions match bit for bit.
        var invFreq = 1.0 / pow(theBase, arange(0, rotaryDims, 2, ScalarType.Int64).to(ScalarType.Float32) / rotaryDims);
        var positions = arange(nCtx, ScalarType.Float32);
        var freqs = outer(positions, invFreq);          // [n_ctx, rotary_dim / 2]
        var emb = cat([freqs, freqs], -1);              // [n_ctx, rotary_dim]
        _cos = emb.cos().to(device).DetachFromDisposeScope();
        _sin = emb.sin().to(device).DetachFromDisposeScope();
    }

    /// <summary>Rotates <paramref name="x"/> <c>[batch, pos, head_index, d_head]</c> for positions starting at <paramref name="offset"/>.</summary>
    public Tensor Apply(Tensor x, long offset)
    {
        long pos = x.shape[1];
        var cos = _cos.narrow(0, offset, pos).unsqueeze(0).unsqueeze(2); // [1, pos, 1, rotary_dim]
        var sin = _sin.narrow(0, offset, pos).unsqueeze(0).unsqueeze(2);
        return Rotate(x, cos, sin);
    }

    /// <summary>Rotates <paramref name="x"/> <c>[batch, pos, head_index, d_head]</c> for per-row <paramref name="positions"/> <c>[batch, pos]</c>.</summary>
    public Tensor Apply(Tensor x, Tensor positions)
    {
        long batch = positions.shape[0], pos = positions.shape[1];
        var flat = positions.reshape(-1);
        var cos = _cos.index_select(0, flat).view(batch, pos, 1, _dims); // [batch, pos, 1, rotary_dim]
        var sin = _sin.index_select(0, flat).view(batch, pos, 1, _dims);
        return Rotate(x, cos, sin);
    }

    Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        var inputType = x.dtype;
        var x32 = x.to(ScalarType.Float32);
        var rot = x32.narrow(-1, 0, _dims);
        int half = _dims / 2;
        var rotatedHalf = cat([-rot.narrow(-1, half, half), rot.narrow(-1, 0, half)], -1);
        var rotated = rot * cos + rotatedHalf * sin;
        var result = _dims == x.shape[^1] ? rotated : cat([rotated, x32.narrow(-1, _dims, x.shape[^1] - _dims)], -1);
        return result.to(inputType);
    }

    public void Dispose()
    {
        _cos.Dispose();
        _sin.Dispose();
    }
}
