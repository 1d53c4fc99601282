using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel;

public sealed partial class HookedTransformer
{
    /// <summary>
    /// Runs the blocks at positions <paramref name="from"/> to <paramref name="to"/> (exclusive) of the layer order on
    /// <paramref name="resid"/> <c>[batch, pos, d_model]</c> inside the pass's dispose scope <paramref name="owned"/>. Each block's temporaries are freed when the block ends, so
    /// a pass holds one block's intermediates at a time rather than every layer's; only the block's output moves out
    /// (into the caller's dispose scope), and the residual stream it replaces is freed unless a hook saw it.
    /// </summary>
    Tensor RunBlocks(DisposeScope owned, Tensor resid, int from, int to, KeyValueCache? cache, PaddingMask? padding = null)
    {
        for (int i = from; i < to; i++)
        {
            var block = blocks[_blockOrder[i]];
            Tensor next;
            using (var scope = NewDisposeScope())
            {
                next = scope.MoveToOuter(block.Forward(resid, cache, padding));
                HookPoint.HandOver(scope);
            }
            // The input is ours to free once no hook has seen it (a hook may keep the very tensor it was handed).
            if (i > from && !block.ResidPreHooked && !blocks[_blockOrder[i - 1]].ResidPostHooked && owned.Contains(resid))
                resid.Dispose();
            resid = next;
        }
        return resid;
    }
}
