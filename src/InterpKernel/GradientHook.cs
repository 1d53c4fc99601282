using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel;

/// <summary>
/// The identity in the forward pass whose backward calls the backward hooks of one hook point: they see the gradient
/// flowing into the activation and may replace it, and what they return flows on backwards.
/// </summary>
internal sealed class GradientHook : autograd.SingleTensorFunction<GradientHook>
{
    /// <inheritdoc />
    public override string Name => "InterpKernelGradientHook";

    /// <summary>Wraps <paramref name="activation"/> so that <paramref name="hooks"/> run on its gradient.</summary>
    public static Tensor Wrap(Tensor activation, HookPoint point, HookFunction[] hooks) => apply(activation, point, hooks);

    /// <inheritdoc />
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        ctx.save_data("point", vars[1]);
        ctx.save_data("hooks", vars[2]);
        return ((Tensor)vars[0]).alias();
    }

    /// <inheritdoc />
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var point = (HookPoint)ctx.get_data("point");
        var grad = grad_output;
        foreach (var hook in (HookFunction[])ctx.get_data("hooks"))
        {
            var replacement = hook(grad, point);
            if (replacement is null || ReferenceEquals(replacement, grad)) continue;
            if (!replacement.shape.SequenceEqual(grad.shape))
                throw new InvalidOperationException(
                    $"A backward hook on '{point.Name}' returned a tensor of shape [{string.Join(", ", replacement.shape)}], " +
                    $"but the gradient has shape [{string.Join(", ", grad.shape)}]: return a tensor of the same shape, or null to keep it.");
            grad = replacement;
        }
        // One entry per argument of apply: the activation's gradient, and none for the point and the hooks.
        return [grad.DetachFromDisposeScope(), null!, null!];
    }
}
