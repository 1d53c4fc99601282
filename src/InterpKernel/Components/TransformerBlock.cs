using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Components;

/// <summary>
/// One transformer block: <c>resid_mid = resid_pre + attn(ln1(resid_pre))</c>,
/// <c>resid_post = resid_mid + mlp(ln2(resid_mid))</c>; with parallel attention and MLP (GPT-NeoX),
/// <c>resid_post = resid_pre + attn(ln1(resid_pre)) + mlp(ln2(resid_pre))</c> and no <c>hook_resid_mid</c>.
/// </summary>
public sealed class TransformerBlock : nn.Module
{
    readonly nn.Module<Tensor, Tensor> ln1, ln2;
    readonly Attention attn;
    readonly Mlp mlp;
    readonly HookPoint hook_resid_pre, hook_attn_out, hook_mlp_out, hook_resid_post;
    readonly HookPoint? hook_resid_mid;
    readonly bool _parallel;

    internal TransformerBlock(int layer, TransformerConfig cfg, Weights weights, Rotary? rotary, ScalarType dtype, Device device)
        : base($"blocks.{layer}")
    {
        string p = $"blocks.{layer}.";
        Layer = layer;
        ln1 = Normalization.Create(p + "ln1", cfg, weights);
        ln2 = Normalization.Create(p + "ln2", cfg, weights);
        attn = new Attention(layer, cfg, weights, rotary, dtype, device);
        mlp = new Mlp(layer, cfg, weights, dtype, device);
        _parallel = cfg.ParallelAttnMlp;
        hook_resid_pre = new HookPoint(p + "hook_resid_pre");
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
    /// <summary>The MLP.</summary>
    public Mlp Mlp => mlp;
    /// <summary>The normalisation before attention.</summary>
    public nn.Module<Tensor, Tensor> Ln1 => ln1;
    /// <summary>The normalisation before the MLP.</summary>
    public nn.Module<Tensor, Tensor> Ln2 => ln2;

    /// <summary>The residual stream after this block, <c>[batch, pos, d_model]</c>.</summary>
    public Tensor Forward(Tensor residPre, KeyValueCache? cache) => Forward(residPre, cache, null);

    internal Tensor Forward(Tensor residPre, KeyValueCache? cache, PaddingMask? padding)
    {
        residPre = hook_resid_pre.call(residPre); // [batch, pos, d_model]
        var attnOut = hook_attn_out.call(attn.Forward(ln1.call(residPre), cache, padding));
        if (_parallel)
        {
            var mlpOut = hook_mlp_out.call(mlp.call(ln2.call(residPre)));
            return hook_resid_post.call(residPre + attnOut + mlpOut);
        }
        var residMid = hook_resid_mid!.call(residPre + attnOut);
        var mlpOutSeq = hook_mlp_out.call(mlp.call(ln2.call(residMid)));
        return hook_resid_post.call(residMid + mlpOutSeq);
    }
}
