using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InterpKernel.Components;

/// <summary>
/// The MLP: <c>post = act(x W_in + b_in)</c>, <c>out = post W_out + b_out</c>; gated variant (SwiGLU):
/// <c>post = act(x W_gate) * (x W_in)</c>. Hooks: <c>hook_pre</c>, <c>hook_pre_linear</c> (gated), <c>hook_post</c>.
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>, IHookOrder
{
    readonly Parameter W_in;     // [d_model, d_mlp]
    readonly Parameter b_in;     // [d_mlp]
    readonly Parameter? W_gate;  // [d_model, d_mlp]
    readonly Parameter? b_gate;  // [d_mlp], only where a folded LayerNorm bias put one (StableLM)
    readonly Parameter W_out;    // [d_mlp, d_model]
    readonly Parameter b_out;    // [d_model]
    readonly HookPoint hook_pre, hook_post;
    readonly HookPoint? hook_pre_linear;
    readonly Func<Tensor, Tensor> _act;

    internal Mlp(int layer, TransformerConfig cfg, Weights weights, ScalarType dtype, Device device) : base($"blocks.{layer}.mlp")
    {
        string p = $"blocks.{layer}.mlp.";
        W_in = new Parameter(weights.Get(p + "W_in", cfg.DModel, cfg.DMlp).contiguous(), requires_grad: false);
        b_in = new Parameter(weights.GetOrZeros(p + "b_in", dtype, device, cfg.DMlp), requires_grad: false);
        if (cfg.GatedMlp)
        {
            W_gate = new Parameter(weights.Get(p + "W_gate", cfg.DModel, cfg.DMlp).contiguous(), requires_grad: false);
            if (weights.Has(p + "b_gate")) b_gate = new Parameter(weights.Get(p + "b_gate", cfg.DMlp), requires_grad: false);
            hook_pre_linear = new HookPoint(p + "hook_pre_linear");
        }
        W_out = new Parameter(weights.Get(p + "W_out", cfg.DMlp, cfg.DModel).contiguous(), requires_grad: false);
        b_out = new Parameter(weights.GetOrZeros(p + "b_out", dtype, device, cfg.DModel), requires_grad: false);
        hook_pre = new HookPoint(p + "hook_pre");
        hook_post = new HookPoint(p + "hook_post");
        _act = Activations.For(cfg.Activation);
        RegisterComponents();
    }

    /// <summary>Input weights <c>[d_model, d_mlp]</c>.</summary>
    public Tensor WIn => W_in;
    /// <summary>Input bias <c>[d_mlp]</c>.</summary>
    public Tensor BIn => b_in;
    /// <summary>Gate weights <c>[d_model, d_mlp]</c> of a gated MLP, else <c>null</c>.</summary>
    public Tensor? WGate => W_gate;
    /// <summary>Gate bias <c>[d_mlp]</c>, present only where weight processing folded a LayerNorm bias into the gate.</summary>
    public Tensor? BGate => b_gate;
    /// <summary>Output weights <c>[d_mlp, d_model]</c>: row <c>n</c> is what neuron <c>n</c> writes.</summary>
    public Tensor WOut => W_out;
    /// <summary>Output bias <c>[d_model]</c>.</summary>
    public Tensor BOut => b_out;

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        Tensor post;
        if (W_gate is null)
        {
            var pre = hook_pre.call(x.matmul(W_in).add_(b_in)); // [batch, pos, d_mlp]
            post = hook_post.call(_act(pre));
        }
        else
        {
            var gate = x.matmul(W_gate);
            var pre = hook_pre.call(b_gate is null ? gate : gate.add_(b_gate));
            var preLinear = hook_pre_linear!.call(x.matmul(W_in).add_(b_in));
            post = hook_post.call(_act(pre) * preLinear);
        }
        return post.matmul(W_out).add_(b_out); // [batch, pos, d_model]
    }

    /// <inheritdoc />
    IEnumerable<HookPoint> IHookOrder.HooksInForwardOrder() =>
        hook_pre_linear is null ? [hook_pre, hook_post] : [hook_pre, hook_pre_linear, hook_post];
}
