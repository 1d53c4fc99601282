namespace InterpKernel.Components;

/// <summary>
/// A component that lists its hook points in the order its forward pass fires them, next to the code that fires them;
/// the model's hook list (<see cref="HookedTransformer.HookNames"/>) is its components' lists in turn.
/// </summary>
internal interface IHookOrder
{
    /// <summary>This component's hook points (its sub-components' included), in firing order.</summary>
    IEnumerable<HookPoint> HooksInForwardOrder();
}
