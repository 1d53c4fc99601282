using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InterpKernel.Components;

/// <summary>
/// Root-mean-square norm (Llama, Qwen2) with TransformerLens's hooks: <c>hook_scale</c> is the RMS
/// <c>[batch, pos, 1]</c>, <c>hook_normalized</c> is <c>x / scale</c> before the learned scale is applied.
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>, IHookOrder
{
    readonly Parameter? w; // [d_model]
    readonly double _eps;
    readonly HookPoint hook_scale;
    readonly HookPoint hook_normalized;

    internal RmsNorm(string prefix, Tensor? weight, double eps) : base(prefix)
    {
        if (weight is not null) w = new Parameter(weight, requires_grad: false);
        _eps = eps;
        hook_scale = new HookPoint($"{prefix}.hook_scale");
        hook_normalized = new HookPoint($"{prefix}.hook_normalized");
        RegisterComponents();
    }

    /// <summary>The learned scale, or <c>null</c> when folded into the following weights.</summary>
    public Tensor? W => w;

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        // Half-precision squares overflow easily; the statistic is taken in float32 as Hugging Face does.
        var x32 = x.dtype == ScalarType.Float32 ? x : x.to(ScalarType.Float32);
        var scale = hook_scale.call((x32.pow(2).mean([-1], keepdim: true) + _eps).sqrt()); // [batch, pos, 1]
        var normalized = hook_normalized.call((x32 / scale).to(x.dtype)); // [batch, pos, d_model]
        return w is null ? normalized : normalized * w;
    }

    /// <inheritdoc />
    IEnumerable<HookPoint> IHookOrder.HooksInForwardOrder() => [hook_scale, hook_normalized];
}
