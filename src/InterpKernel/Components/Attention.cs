using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InterpKernel.Components;

/// <summary>
/// Multi-head (and grouped-query) causal self-attention with TransformerLens's hooks. The pattern is materialised
/// (<c>hook_attn_scores</c>, <c>hook_pattern</c>) only when a hook or the cache reads it; otherwise the fused
/// <c>scaled_dot_product_attention</c> kernel computes the same values faster.
/// </summary>
/// <remarks>
/// Query, key and value projections are stored fused (<c>[d_model, (n_heads + 2 n_kv_heads) * d_head]</c>) so one
/// matrix product serves all three and every head; <see cref="WQ"/> and friends give the TransformerLens per-head
/// views without copying.
/// </remarks>
public sealed class Attention : nn.Module
{
    readonly Parameter W_QKV;         // [d_model, (n_heads + 2 * n_kv_heads) * d_head]
    readonly Parameter b_QKV;         // [(n_heads + 2 * n_kv_heads) * d_head]
    readonly Parameter W_O;           // [n_heads * d_head, d_model]
    readonly Parameter b_O;           // [d_model]
    readonly HookPoint hook_q, hook_k, hook_v, hook_z, hook_attn_scores, hook_pattern, hook_result;
    readonly HookPoint? hook_rot_q, hook_rot_k;
    readonly Rotary? _rotary;
    readonly int _layer, _nHeads, _nKv, _dHead, _dModel;
    readonly bool _useResult;
    readonly double _scale;

    internal Attention(int layer, TransformerConfig cfg, Weights weights, Rotary? rotary, ScalarType dtype, Device device)
        : base($"blocks.{layer}.attn")
    {
        _layer = layer;
        _nHeads = cfg.NHeads;
        _nKv = cfg.KeyValueHeads;
        _dHead = cfg.DHead;
        _dModel = cfg.DModel;
        _useResult = cfg.UseAttnResult;
        _scale = 1.0 / Math.Sqrt(cfg.DHead);
        string p = $"blocks.{layer}.attn.";
        if (weights.HasFusedQkv(p))
        {
            // Stored fused already (GPT-2): used as is, so a memory-mapped checkpoint's pages are not copied.
            long width = QWidth + 2 * KvWidth;
            W_QKV = new Parameter(weights.Get(p + "W_QKV", _dModel, width).contiguous(), requires_grad: false);
            b_QKV = new Parameter(weights.GetOrZeros(p + "b_QKV", dtype, device, width), requires_grad: false);
        }
        else
        using (var scope = NewDisposeScope())
        {
            var w = cat([Columns(weights.Get(p + "W_Q", _nHeads, _dModel, _dHead)),
                         Columns(weights.Get(p + "W_K", _nKv, _dModel, _dHead)),
                         Columns(weights.Get(p + "W_V", _nKv, _dModel, _dHead))], 1);
            var b = cat([weights.GetOrZeros(p + "b_Q", dtype, device, _nHeads, _dHead).reshape(-1),
                         weights.GetOrZeros(p + "b_K", dtype, device, _nKv, _dHead).reshape(-1),
                         weights.GetOrZeros(p + "b_V", dtype, device, _nKv, _dHead).reshape(-1)], 0);
            W_QKV = new Parameter(w.DetachFromDisposeScope(), requires_grad: false);
            b_QKV = new Parameter(b.DetachFromDisposeScope(), requires_grad: false);
        }
        W_O = new Parameter(weights.Get(p + "W_O", _nHeads, _dHead, _dModel).reshape(_nHeads * _dHead, _dModel).contiguous(), requires_grad: false);
        b_O = new Parameter(weights.GetOrZeros(p + "b_O", dtype, device, _dModel), requires_grad: false);
        hook_q = new HookPoint(p + "hook_q");
        hook_k = new HookPoint(p + "hook_k");
        hook_v = new HookPoint(p + "hook_v");
        if (rotary is not null)
        {
            hook_rot_q = new HookPoint(p + "hook_rot_q");
            hook_rot_k = new HookPoint(p + "hook_rot_k");
        }
        hook_attn_scores = new HookPoint(p + "hook_attn_scores");
        hook_pattern = new HookPoint(p + "hook_pattern");
        hook_z = new HookPoint(p + "hook_z");
        hook_result = new HookPoint(p + "hook_result");
        _rotary = rotary;
        RegisterComponents();
    }

    static Tensor Columns(Tensor perHead) => // [heads, d_model, d_head] -> [d_model, heads * d_head]
        perHead.permute(1, 0, 2).reshape(perHead.shape[1], perHead.shape[0] * perHead.shape[2]);

    long QWidth => (long)_nHeads * _dHead;
    long KvWidth => (long)_nKv * _dHead;

    /// <summary>Query weights per head <c>[n_heads, d_model, d_head]</c> (a view of the fused weights).</summary>
    public Tensor WQ => W_QKV.narrow(1, 0, QWidth).view(_dModel, _nHeads, _dHead).permute(1, 0, 2);
    /// <summary>Key weights per key/value head <c>[n_kv_heads, d_model, d_head]</c>.</summary>
    public Tensor WK => W_QKV.narrow(1, QWidth, KvWidth).view(_dModel, _nKv, _dHead).permute(1, 0, 2);
    /// <summary>Value weights per key/value head <c>[n_kv_heads, d_model, d_head]</c>.</summary>
    public Tensor WV => W_QKV.narrow(1, QWidth + KvWidth, KvWidth).view(_dModel, _nKv, _dHead).permute(1, 0, 2);
    /// <summary>Output weights per head <c>[n_heads, d_head, d_model]</c>.</summary>
    public Tensor WO => W_O.view(_nHeads, _dHead, _dModel);
    /// <summary>Query bias <c>[n_heads, d_head]</c>.</summary>
    public Tensor BQ => b_QKV.narrow(0, 0, QWidth).view(_nHeads, _dHead);
    /// <summary>Key bias <c>[n_kv_heads, d_head]</c>.</summary>
    public Tensor BK => b_QKV.narrow(0, QWidth, KvWidth).view(_nKv, _dHead);
    /// <summary>Value bias <c>[n_kv_heads, d_head]</c>.</summary>
    public Tensor BV => b_QKV.narrow(0, QWidth + KvWidth, KvWidth).view(_nKv, _dHead);
    /// <summary>Output bias <c>[d_model]</c>.</summary>
    public Tensor BO => b_O;

    /// <summary>The attention output <c>[batch, pos, d_model]</c> for normalised input <c>[batch, pos, d_model]</c>.</summary>
    public Tensor Forward(Tensor x, KeyValueCache? cache) => Forward(x, cache, null);

    internal Tensor Forward(Tensor x, KeyValueCache? cache, PaddingMask? padding)
    {
        long batch = x.shape[0], pos = x.shape[1];
        long offset = cache?.Length ?? 0;
        var qkv = x.matmul(W_QKV).add_(b_QKV); // [batch, pos, (n_heads + 2 n_kv_heads) * d_head]
        var q = hook_q.call(qkv.narrow(-1, 0, QWidth).view(batch, pos, _nHeads, _dHead)); // [batch, pos, head_index, d_head]
        var k = hook_k.call(qkv.narrow(-1, QWidth, KvWidth).view(batch, pos, _nKv, _dHead));
        var v = hook_v.call(qkv.narrow(-1, QWidth + KvWidth, KvWidth).view(batch, pos, _nKv, _dHead));
        if (_rotary is not null)
        {
            q = hook_rot_q!.call(padding is null ? _rotary.Apply(q, offset) : _rotary.Apply(q, padding.Positions));
            k = hook_rot_k!.call(padding is null ? _rotary.Apply(k, offset) : _rotary.Apply(k, padding.Positions));
        }
        var qT = q.transpose(1, 2);  // [batch, head_index, query_pos, d_head]
        var kT = k.transpose(1, 2);  // [batch, kv_head, key_pos, d_head]
        var vT = v.transpose(1, 2);
        if (cache is not null) (kT, vT) = cache.Append(_layer, kT, vT);
        if (_nKv != _nHeads)
        {
            kT = kT.repeat_interleave(_nHeads / _nKv, 1);
            vT = vT.repeat_interleave(_nHeads / _nKv, 1);
        }
        long keyLen = kT.shape[2];
        Tensor Blocked() => padding?.Blocked(pos, offset, x.device) ?? CausalMask(pos, keyLen, offset, x.device); // true = not seen

        Tensor zT; // [batch, head_index, query_pos, d_head]
        if (hook_attn_scores.HasHooks || hook_pattern.HasHooks)
        {
            var scores = qT.matmul(kT.transpose(-1, -2)).mul_(_scale); // [batch, head_index, query_pos, key_pos]
            scores = scores.masked_fill(Blocked(), double.NegativeInfinity);
            scores = hook_attn_scores.call(scores);
            var pattern = scores.dtype == ScalarType.Float32
                ? scores.softmax(-1)
                : scores.softmax(-1, ScalarType.Float32).to(scores.dtype);
            pattern = hook_pattern.call(pattern); // [batch, head_index, query_pos, key_pos]
            zT = pattern.matmul(vT);
        }
        else if (padding is null && (pos == 1 || pos == keyLen))
        {
            zT = nn.functional.scaled_dot_product_attention(qT.contiguous(), kT.contiguous(), vT.contiguous(), is_casual: pos > 1);
        }
        else
        {
            var blocked = Blocked();
            var additive = zeros(blocked.shape, qT.dtype, x.device).masked_fill(blocked, double.NegativeInfinity);
            zT = nn.functional.scaled_dot_product_attention(qT.contiguous(), kT.contiguous(), vT.contiguous(), attn_mask: additive);
        }
        var z = hook_z.call(zT.transpose(1, 2)); // [batch, pos, head_index, d_head]

        if (_useResult || hook_result.HasHooks)
        {
            var result = hook_result.call(torch.einsum("bphd,hdm->bphm", z, WO)); // [batch, pos, head_index, d_model]
            return result.sum(2).add_(b_O);
        }
        return z.reshape(batch, pos, _nHeads * _dHead).matmul(W_O).add_(b_O); // [batch, pos, d_model]
    }

    static Tensor CausalMask(long queries, long keys, long offset, Device device) =>
        ones(queries, keys, ScalarType.Bool, device).triu(offset + 1); // true where a query would see the future
}
