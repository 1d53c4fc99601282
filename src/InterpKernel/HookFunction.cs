using TorchSharp;

namespace InterpKernel;

/// <summary>
/// A function attached to a <see cref="HookPoint"/>. It sees the activation as it passes and returns
/// <c>null</c> to keep it, or a tensor of the same shape to replace it for everything downstream.
/// </summary>
/// <param name="activation">The activation at the hook point.</param>
/// <param name="hook">The hook point, with its <see cref="HookPoint.Name"/> and <see cref="HookPoint.Layer"/>.</param>
public delegate torch.Tensor? HookFunction(torch.Tensor activation, HookPoint hook);
