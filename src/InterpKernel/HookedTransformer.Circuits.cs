using InterpKernel.Components;

namespace InterpKernel;

public sealed partial class HookedTransformer
{
    /// <summary>The rotary embedding shared by the blocks, for analyses that recompute attention from the weights.</summary>
    internal Rotary? RotaryEmbedding => _rotary;
}
