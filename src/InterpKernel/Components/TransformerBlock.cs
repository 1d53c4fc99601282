using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Components;

/// <summary>
/// One transformer block: <c>resid_mid = resid_pre + attn(ln1(resid_pre))</c>,
/// <c>resid_post = resid_mid + mlp(ln2(resid_mid))</c>; with parallel attention and MLP (GPT-NeoX),
/// <c>resid_post = resid_pre + attn(ln1(resid_pre)) + mlp(ln2(resid_pre))</c> and no <c>hook_resid_mid</c>.
/// With post-norms (Gemma 2/3, OLMo-2) the attention and MLP outputs pass through <c>ln1_post</c> and <c>ln2_post</c>
/// before <c>hook_attn_out</c> and <c>hook_mlp_out</c>; without pre-norms (OLMo-2) <c>ln1</c> and <c>ln2</c> are identities
/// with no hooks. A mixture-of-experts model (Mixtral) has a <see cref="MixtureOfExperts"/> in place of the MLP.
/// </summary>
public sealed class TransformerBlock : nn.Module, IHookOrder
{
    readonly nn.Module<Tensor, Tensor> ln1, ln2;
    readonly Attention attn;
    readonly nn.Module<Tensor, Tensor> mlp;
    readonly nn.Module<Tensor, Tensor>? ln1_post, ln2_post;
    readonly HookPoint hook_resid_pre, hook_attn_out, hook_mlp_out, hook_resid_post;
    readonly HookPoint? hook_resid_mid;
    readonly HookPoint? hook_attn_in, hook_q_input, hook_k_input, hook_v_input, hook_mlp_in; // opt-in
    readonly bool _parallel;
    readonly int _nHeads, _nKv;

    internal TransformerBlock(int layer, TransformerConfig cfg, Weights weights, Rotary? rotary, ScalarType dtype, Device device)
        : base($"blocks.{layer}")
    {
        string p = $"blocks.{layer}.";
        Layer = layer;
        ln1 = cfg.PreNorms ? Normalization.Create(p + "ln1", cfg, weights) : nn.Identity();
        ln2 = cfg.PreNorms ? Normalization.Create(p + "ln2", cfg, weights) : nn.Identity();
        if (cfg.PostNorms)
        {
            // Post-norms normalise a block's output, so their scale has nothing to fold into: always kept.
            ln1_post = new RmsNorm(p + "ln1_post", weights.Get(p + "ln1_post.w", cfg.DModel), cfg.LayerNormEps);
            ln2_post = new RmsNorm(p + "ln2_post", weights.Get(p + "ln2_post.w", cfg.DModel), cfg.LayerNormEps);
        }
        attn = new Attention(layer, cfg, weights, rotary, dtype, device);
        mlp = cfg.IsMixtureOfExperts ? new MixtureOfExperts(layer, cfg, weights) : new Mlp(layer, cfg, weights, dtype, device);
        _parallel = cfg.ParallelAttnMlp;
        hook_resid_pre = new HookPoint(p + "hook_resid_pre");
        _nHeads = cfg.NHeads;
        _nKv = cfg.KeyValueHeads;
        if (cfg.UseAttnIn)
        {
            if (_nKv != _nHeads)
                throw new NotSupportedException(
                    $"use_attn_in gives every query, key and value head the same per-head input, but this model groups {cfg.NHeads} query heads over {_nKv} key/value heads: use split q/k/v inputs (LoadOptions.UseSplitQkvInput) instead.");
            hook_attn_in = new HookPoint(p + "hook_attn_in");
        }
        if (cfg.UseSplitQkvInput)
        {
            hook_q_input = new HookPoint(p + "hook_q_input");
            hook_k_input = new HookPoint(p + "hook_k_input");
            hook_v_input = new HookPoint(p + "hook_v_input");
        }
        if (cfg.UseHookMlpIn) hook_mlp_in = new HookPoint(p + "hook_mlp_in");
        hook_attn_out = new HookPoint(p + "hook_attn_out");
        if (!_parallel) hook_resid_mid = new HookPoint(p + "hook_resid_mid");
        hook_mlp_out = new HookPoint(p + "hook_mlp_out");
        hook_resid_post = new HookPoint(p + "hook_resid_post");
        RegisterComponents();
    }

    /// <summary>The block's index in the checkpoint.</summary>
    public int Layer { get; }
    /// <summary>The attention layer.</summary>
    public Attention Attn => attn;
    /// <summary>The MLP (a dense one; a mixture-of-experts model has <see cref="Experts"/> instead).</summary>
    public Mlp Mlp => mlp as Mlp ?? throw new InvalidOperationException(
        $"Block {Layer} has a mixture of experts, not a dense MLP: use Experts (its router and per-expert weights).");
    /// <summary>The mixture-of-experts MLP of a Mixtral-style model, or <c>null</c> for a dense MLP.</summary>
    public MixtureOfExperts? Experts => mlp as MixtureOfExperts;
    /// <summary>The norm applied to the attention output (<c>ln1_post</c>), or <c>null</c>.</summary>
    public nn.Module<Tensor, Tensor>? Ln1Post => ln1_post;
    /// <summary>The norm applied to the MLP output (<c>ln2_post</c>), or <c>null</c>.</summary>
    public nn.Module<Tensor, Tensor>? Ln2Post => ln2_post;
    /// <summary>The normalisation before attention.</summary>
    public nn.Module<Tensor, Tensor> Ln1 => ln1;
    /// <summary>The normalisation before the MLP.</summary>
    public nn.Module<Tensor, Tensor> Ln2 => ln2;

    /// <summary>Whether a hook reads or replaces this block's <c>hook_resid_pre</c>.</summary>
    internal bool ResidPreHooked => hook_resid_pre.HasHooks;
    /// <summary>Whether a hook reads or replaces this block's <c>hook_resid_post</c>.</summary>
    internal bool ResidPostHooked => hook_resid_post.HasHooks;

    /// <summary>The residual stream after this block, <c>[batch, pos, d_model]</c>.</summary>
    public Tensor Forward(Tensor residPre, KeyValueCache? cache) => Forward(residPre, cache, null);

    internal Tensor Forward(Tensor residPre, KeyValueCache? cache, PaddingMask? padding)
    {
        residPre = hook_resid_pre.call(residPre); // [batch, pos, d_model]
        var attnOut = hook_attn_out.call(Post(ln1_post, Attend(residPre, cache, padding)));
        if (_parallel)
        {
            var mlpOut = hook_mlp_out.call(Post(ln2_post, mlp.call(ln2.call(MlpIn(residPre)))));
            return hook_resid_post.call(residPre + attnOut + mlpOut);
        }
        var residMid = hook_resid_mid!.call(residPre + attnOut);
        var mlpOutSeq = hook_mlp_out.call(Post(ln2_post, mlp.call(ln2.call(MlpIn(residMid)))));
        return hook_resid_post.call(residMid + mlpOutSeq);
    }

    /// <summary>
    /// Attention on the block's input. With per-head inputs (<c>hook_attn_in</c>, or <c>hook_q_input</c>,
    /// <c>hook_k_input</c> and <c>hook_v_input</c>) the input is copied per head, <c>ln1</c> normalises each copy
    /// and each head projects its own; keys and values copy the block's input, not <c>hook_attn_in</c>, as in
    /// TransformerLens.
    /// </summary>
    Tensor Attend(Tensor residPre, KeyValueCache? cache, PaddingMask? padding)
    {
        if (hook_attn_in is null && hook_q_input is null) return attn.Forward(ln1.call(residPre), cache, padding);
        var attnIn = PerHead(residPre, _nHeads); // [batch, pos, head_index, d_model]
        if (hook_attn_in is not null) attnIn = hook_attn_in.call(attnIn);
        if (hook_q_input is null)
        {
            var normalized = ln1.call(attnIn);
            return attn.Forward(normalized, normalized, normalized, cache, padding);
        }
        var q = hook_q_input.call(hook_attn_in is null ? attnIn : attnIn.clone());
        var k = hook_k_input!.call(PerHead(residPre, _nKv)); // [batch, pos, kv_head, d_model]
        var v = hook_v_input!.call(PerHead(residPre, _nKv));
        return attn.Forward(ln1.call(q), ln1.call(k), ln1.call(v), cache, padding);
    }

    /// <summary>A copy of <c>[batch, pos, d_model]</c> for each of <paramref name="heads"/>: <c>[batch, pos, heads, d_model]</c>.</summary>
    static Tensor PerHead(Tensor x, int heads) => x.unsqueeze(2).repeat(1, 1, heads, 1);

    /// <summary>The MLP's input before <c>ln2</c>, through <c>hook_mlp_in</c> (a copy, so edits leave the residual alone) when on.</summary>
    Tensor MlpIn(Tensor resid) => hook_mlp_in is null ? resid : hook_mlp_in.call(resid.clone());

    static Tensor Post(nn.Module<Tensor, Tensor>? norm, Tensor x) => norm is null ? x : norm.call(x);

    /// <inheritdoc />
    IEnumerable<HookPoint> IHookOrder.HooksInForwardOrder()
    {
        yield return hook_resid_pre;
        if (hook_attn_in is not null) yield return hook_attn_in;
        if (hook_q_input is not null && hook_k_input is not null && hook_v_input is not null)
        {
            yield return hook_q_input;
            yield return hook_k_input;
            yield return hook_v_input;
        }
        foreach (var h in Hooks(ln1).Concat(Hooks(attn)).Concat(Hooks(ln1_post))) yield return h;
        yield return hook_attn_out;
        if (hook_resid_mid is not null) yield return hook_resid_mid;
        if (hook_mlp_in is not null) yield return hook_mlp_in;
        foreach (var h in Hooks(ln2).Concat(Hooks(mlp)).Concat(Hooks(ln2_post))) yield return h;
        yield return hook_mlp_out;
        yield return hook_resid_post;
    }

    /// <summary>A sub-component's hooks in firing order; none for an identity or an absent norm.</summary>
    internal static IEnumerable<HookPoint> Hooks(nn.Module? component) =>
        component is IHookOrder ordered ? ordered.HooksInForwardOrder() : [];
}
