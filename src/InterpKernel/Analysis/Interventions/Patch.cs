using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// One activation patch: at hook <paramref name="HookName"/>, the elements selected by <paramref name="Index"/>
/// (indices over the dimensions after batch, e.g. <c>[Single(3)]</c> for position 3 of <c>hook_resid_pre</c>,
/// <c>[Colon, Single(5)]</c> for head 5 of <c>hook_z</c> at every position) take their clean value.
/// An empty index patches the whole activation.
/// </summary>
/// <param name="HookName">Full hook name, e.g. <c>blocks.0.hook_resid_pre</c>.</param>
/// <param name="Index">Slices or single indices over the dimensions after batch (no tensor indices).</param>
/// <param name="Label">Optional label for reports.</param>
public sealed record Patch(string HookName, TensorIndex[] Index, string? Label = null)
{
    /// <summary>A patch of the whole activation at <paramref name="hookName"/>.</summary>
    public static Patch All(string hookName) => new(hookName, Array.Empty<TensorIndex>(), hookName);
}
