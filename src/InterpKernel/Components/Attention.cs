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
public sealed class Attention : nn.Module, IHookOrder
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
    readonly double? _softcap;
    readonly int? _window;
    readonly bool _explicitScale;
    readonly RmsNorm? q_ln, k_ln;
    readonly bool _wholeQkNorm;

    internal Attention(int layer, TransformerConfig cfg, Weights weights, Rotary? rotary, ScalarType dtype, Device device)
        : base($"blocks.{layer}.attn")
    {
        _layer = layer;
        _nHeads = cfg.NHeads;
        _nKv = cfg.KeyValueHeads;
        _dHead = cfg.DHead;
        _dModel = cfg.DModel;
        _useResult = cfg.UseAttnResult;
        _scale = cfg.AttnScale ?? 1.0 / Math.Sqrt(cfg.DHead);
        _explicitScale = cfg.AttnScale is not null;
        _softcap = cfg.AttnScoresSoftcap;
        _window = cfg.SlidingWindowOf(layer);
        string p = $"blocks.{layer}.attn.";
        if (cfg.QueryKeyNorm != QueryKeyNormalization.None)
        {
            _wholeQkNorm = cfg.QueryKeyNorm == QueryKeyNormalization.WholeProjection;
            long qWidth = _wholeQkNorm ? (long)_nHeads * _dHead : _dHead, kWidth = _wholeQkNorm ? (long)_nKv * _dHead : _dHead;
            q_ln = new RmsNorm(p + "q_ln", weights.Get(p + "q_ln.w", qWidth), cfg.LayerNormEps);
            k_ln = new RmsNorm(p + "k_ln", weights.Get(p + "k_ln.w", kWidth), cfg.LayerNormEps);
        }
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
        var qkv = x.matmul(W_QKV).add_(b_QKV); // [batch, pos, (n_heads + 2 n_kv_heads) * d_head]
        return Attend(qkv.narrow(-1, 0, QWidth), qkv.narrow(-1, QWidth, KvWidth), qkv.narrow(-1, QWidth + KvWidth, KvWidth), cache, padding);
    }

    /// <summary>
    /// The attention output <c>[batch, pos, d_model]</c> when each head reads its own normalised input: queries'
    /// <c>[batch, pos, n_heads, d_model]</c>, keys' and values' <c>[batch, pos, n_kv_heads, d_model]</c>. Each head's
    /// projection reads its own copy; scores and mixing are those of <see cref="Forward(Tensor, KeyValueCache)"/>.
    /// </summary>
    internal Tensor Forward(Tensor queryInput, Tensor keyInput, Tensor valueInput, KeyValueCache? cache, PaddingMask? padding)
    {
        long batch = queryInput.shape[0], pos = queryInput.shape[1];
        Tensor Project(Tensor input, Tensor w, Tensor b, long width) => // [batch, pos, heads, d_model] -> [batch, pos, width]
            torch.einsum("bphm,hmd->bphd", input, w).reshape(batch, pos, width).add_(b.reshape(width));
        return Attend(Project(queryInput, WQ, BQ, QWidth), Project(keyInput, WK, BK, KvWidth), Project(valueInput, WV, BV, KvWidth), cache, padding);
    }

    /// <summary>Attention from the projected queries, keys and values, each <c>[batch, pos, heads * d_head]</c>.</summary>
    Tensor Attend(Tensor qFlat, Tensor kFlat, Tensor vFlat, KeyValueCache? cache, PaddingMask? padding)
    {
        long batch = qFlat.shape[0], pos = qFlat.shape[1];
        long offset = cache?.LengthOf(_layer) ?? 0; // this layer's own count: earlier layers have appended already
        var (qIn, kIn) = NormalizeQueriesAndKeys(qFlat, kFlat, batch, pos);
        var q = hook_q.call(qIn); // [batch, pos, head_index, d_head]
        var k = hook_k.call(kIn);
        var v = hook_v.call(vFlat.view(batch, pos, _nKv, _dHead));
        if (_rotary is not null)
        {
            q = hook_rot_q!.call(padding is null ? _rotary.Apply(q, offset) : _rotary.Apply(q, padding.Positions, offset + pos));
            k = hook_rot_k!.call(padding is null ? _rotary.Apply(k, offset) : _rotary.Apply(k, padding.Positions, offset + pos));
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
        Tensor Blocked() => Mask(pos, keyLen, offset, qFlat.device, padding); // true = not seen

        Tensor zT; // [batch, head_index, query_pos, d_head]
        if (hook_attn_scores.HasHooks || hook_pattern.HasHooks || _softcap is not null)
        {
            var scores = qT.matmul(kT.transpose(-1, -2)).mul_(_scale); // [batch, head_index, query_pos, key_pos]
            if (_softcap is { } cap) scores = scores.div(cap).tanh_().mul_(cap);
            scores = scores.masked_fill(Blocked(), double.NegativeInfinity);
            scores = hook_attn_scores.call(scores);
            var pattern = scores.dtype == ScalarType.Float32
                ? scores.softmax(-1)
                : scores.softmax(-1, ScalarType.Float32).to(scores.dtype);
            pattern = hook_pattern.call(pattern); // [batch, head_index, query_pos, key_pos]
            zT = pattern.matmul(vT);
        }
        else if (_window is null && padding is null && (pos == 1 || pos == keyLen))
        {
            // The fused kernel scales by 1/√d_head and takes no other factor: a non-default scale goes into the queries.
            if (_explicitScale) qT = qT.mul(_scale * Math.Sqrt(_dHead));
            zT = nn.functional.scaled_dot_product_attention(qT.contiguous(), kT.contiguous(), vT.contiguous(), is_casual: pos > 1);
        }
        else
        {
            if (_explicitScale) qT = qT.mul(_scale * Math.Sqrt(_dHead));
            var blocked = Blocked();
            var additive = zeros(blocked.shape, qT.dtype, qFlat.device).masked_fill(blocked, double.NegativeInfinity);
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

    /// <summary>
    /// True where a query may not look: the future, pads of a padded batch (<see cref="PaddingMask.Blocked"/>), and
    /// with a sliding window keys <c>window</c> or more positions back (query <c>offset + i</c> sees keys <c>j</c> with
    /// <c>offset + i - window &lt; j ≤ offset + i</c>, counted in cache positions as Hugging Face counts them).
    /// </summary>
    Tensor Mask(long queries, long keys, long offset, Device device, PaddingMask? padding)
    {
        var future = padding?.Blocked(queries, offset, device) ?? CausalMask(queries, keys, offset, device);
        if (_window is not { } w) return future;
        // Keys at or before offset + i - w: the lower triangle from diagonal offset - w down.
        var tooOld = ones(queries, keys, ScalarType.Bool, device).tril(offset - w);
        return future.logical_or(tooOld);
    }

    /// <summary>
    /// Queries <c>[batch, pos, n_heads, d_head]</c> and keys <c>[batch, pos, n_kv_heads, d_head]</c> from their
    /// projections <c>[batch, pos, width]</c>, through the q/k norms when the model has them (before rotary).
    /// </summary>
    (Tensor Q, Tensor K) NormalizeQueriesAndKeys(Tensor qFlat, Tensor kFlat, long batch, long pos)
    {
        if (q_ln is null || k_ln is null)
            return (qFlat.view(batch, pos, _nHeads, _dHead), kFlat.view(batch, pos, _nKv, _dHead));
        if (_wholeQkNorm)
            return (q_ln.call(qFlat).view(batch, pos, _nHeads, _dHead), k_ln.call(kFlat).view(batch, pos, _nKv, _dHead));
        return (q_ln.call(qFlat.reshape(batch, pos, _nHeads, _dHead)), k_ln.call(kFlat.reshape(batch, pos, _nKv, _dHead)));
    }

    /// <summary>The query norm (<c>attn.q_ln</c>), or <c>null</c> when the model normalises no queries.</summary>
    public RmsNorm? QLn => q_ln;
    /// <summary>The key norm (<c>attn.k_ln</c>), or <c>null</c>.</summary>
    public RmsNorm? KLn => k_ln;
    /// <summary>The sliding window of this layer, or <c>null</c> for global attention.</summary>
    public int? SlidingWindow => _window;

    /// <inheritdoc />
    IEnumerable<HookPoint> IHookOrder.HooksInForwardOrder()
    {
        if (q_ln is not null && k_ln is not null)
            foreach (var h in ((IHookOrder)q_ln).HooksInForwardOrder().Concat(((IHookOrder)k_ln).HooksInForwardOrder())) yield return h;
        yield return hook_q;
        yield return hook_k;
        yield return hook_v;
        if (hook_rot_q is not null && hook_rot_k is not null)
        {
            yield return hook_rot_q;
            yield return hook_rot_k;
        }
        yield return hook_attn_scores;
        yield return hook_pattern;
        yield return hook_z;
        if (_useResult) yield return hook_result;
    }
}
