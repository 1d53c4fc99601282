using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InterpKernel.Components;

/// <summary>
/// LayerNorm with TransformerLens's hooks: <c>hook_scale</c> is the standard deviation <c>[batch, pos, 1]</c>,
/// <c>hook_normalized</c> the output after the learned scale and bias. With folded weights (<c>LayerNormPre</c>)
/// there is no scale or bias and <c>hook_normalized</c> is <c>(x - mean) / scale</c>.
/// </summary>
public sealed class LayerNorm : nn.Module<Tensor, Tensor>, IHookOrder
{
    readonly Parameter? w; // [d_model]
    readonly Parameter? b; // [d_model]
    readonly double _eps;
    readonly HookPoint hook_scale;
    readonly HookPoint hook_normalized;

    internal LayerNorm(string prefix, Tensor? weight, Tensor? bias, double eps) : base(prefix)
    {
        if (weight is not null) w = new Parameter(weight, requires_grad: false);
        if (bias is not null) b = new Parameter(bias, requires_grad: false);
        _eps = eps;
        hook_scale = new HookPoint($"{prefix}.hook_scale");
        hook_normalized = new HookPoint($"{prefix}.hook_normalized");
        RegisterComponents();
    }

    /// <summary>The learned scale, or <c>null</c> when folded into the following weights.</summary>
    public Tensor? W => w;

    /// <summary>The learned bias, or <c>null</c> when folded.</summary>
    public Tensor? B => b;

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        var centered = x - x.mean([-1], keepdim: true);
        var scale = hook_scale.call((centered.pow(2).mean([-1], keepdim: true) + _eps).sqrt()); // [batch, pos, 1]
        var normalized = centered / scale;
        if (w is not null) normalized = normalized * w;
        if (b is not null) normalized = normalized + b;
        return hook_normalized.call(normalized); // [batch, pos, d_model]
    }

    /// <inheritdoc />
    IEnumerable<HookPoint> IHookOrder.HooksInForwardOrder() => [hook_scale, hook_normalized];
}
