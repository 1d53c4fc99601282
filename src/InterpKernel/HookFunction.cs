using TorchSharp;

namespace InterpKernel;

/// <summary>
/// A function attached to a <see cref="HookPoint"/>. It sees the activation as it passes and returns
/// <c>null</c> to keep it, or a tensor of the same shape to replace it for everything downstream. As a backward hook
/// (<see cref="HookedTransformer.RunWithHooks(TorchSharp.torch.Tensor, System.Collections.Generic.IReadOnlyList{System.ValueTuple{string, HookFunction}}, System.Collections.Generic.IReadOnlyList{System.ValueTuple{string, HookFunction}})"/>)
/// it sees the gradient of the backward pass with respect to that activation instead, and may replace it the same way.
/// </summary>
/// <remarks>
/// <para><b>Who owns which tensor</b> (the one rule for tensors and hooks):</para>
/// <list type="bullet">
/// <item>The activation (or gradient) handed to the hook belongs to the pass, which frees it when the block (or the pass)
/// it belongs to ends. To keep it, keep a copy: <c>activation.clone()</c>, or <c>activation.detach()</c> (a new handle on
/// the same memory).</item>
/// <item>The tensor the hook returns flows on into the pass and is freed with it. Return a clone of anything you also keep.</item>
/// <item>Every other tensor the hook makes is yours, exactly as if you had made it where you started the pass: it
/// survives the forward pass, and belongs to the dispose scope (<c>torch.NewDisposeScope()</c>) that was open around the
/// call that ran the pass (<c>Forward</c>, <c>RunWithHooks</c>, <c>RunWithCache</c>, <c>Generate</c>, ...), if any,
/// so it is freed when that scope ends. With no scope open it is freed when you dispose it (or by the garbage
/// collector). Call <c>DetachFromDisposeScope()</c> on it to keep it beyond an open scope; do not call
/// <c>MoveToOuterDisposeScope()</c> inside a hook (the scope outside a hook is the running block's).</item>
/// </list>
/// </remarks>
/// <param name="activation">The activation at the hook point (for a backward hook, the gradient with respect to it).</param>
/// <param name="hook">The hook point, with its <see cref="HookPoint.Name"/> and <see cref="HookPoint.Layer"/>.</param>
public delegate torch.Tensor? HookFunction(torch.Tensor activation, HookPoint hook);
