using static TorchSharp.torch;

namespace InterpKernel;

/// <summary>
/// What a forward pass over a padded batch needs besides the tokens: which keys are real (<c>[batch, key_pos]</c>,
/// bool, past positions of a key/value cache included) and each new token's position counted in real tokens
/// (<c>[batch, pos]</c>, int64). Tensors live in the pass's dispose scope.
/// </summary>
internal sealed record PaddingMask(Tensor RealKeys, Tensor Positions)
{
    /// <summary>
    /// The mask of a pass over <paramref name="pos"/> new positions whose own mask is <paramref name="realNew"/>
    /// (null: all real) after the positions a key/value cache holds; null when nothing anywhere is a pad, so
    /// unpadded passes keep their fast path. Records the full key mask in the cache for the next step.
    /// </summary>
    public static PaddingMask? For(Tensor? realNew, KeyValueCache? cache, long batch, long pos, Device device)
    {
        var past = cache?.RealKeys;
        if (realNew is null && past is null) return null;
        long offset = cache?.Length ?? 0;
        realNew ??= ones(batch, pos, ScalarType.Bool, device);
        if (past is null && offset > 0) past = ones(batch, offset, ScalarType.Bool, device);
        var keys = past is null ? realNew : cat([past, realNew], 1); // [batch, key_pos]
        // A pad takes the position of the real token before it (0 before any): it is never attended to, so its
        // position only has to lie inside the context.
        var positions = keys.to(ScalarType.Int64).cumsum(1).narrow(1, offset, pos).sub(1).clamp_min(0); // [batch, pos]
        cache?.SetRealKeys(keys);
        return new PaddingMask(keys, positions);
    }

    /// <summary>
    /// True where query <c>i</c> (at <paramref name="offset"/> + i) must not see key <c>j</c>: the future, and pads
    /// (except a query's own position, so a pad's softmax is never empty). <c>[batch, 1, query_pos, key_pos]</c>.
    /// </summary>
    public Tensor Blocked(long queries, long offset, Device device)
    {
        long keys = RealKeys.shape[1];
        var keyIndex = arange(keys, ScalarType.Int64, device).unsqueeze(0);                  // [1, key_pos]
        var queryIndex = arange(offset, offset + queries, ScalarType.Int64, device).unsqueeze(1); // [query_pos, 1]
        var future = keyIndex.gt(queryIndex);                                                 // [query_pos, key_pos]
        var self = keyIndex.eq(queryIndex);
        var pad = RealKeys.logical_not().unsqueeze(1);                                        // [batch, 1, key_pos]
        return future.logical_or(pad.logical_and(self.logical_not())).unsqueeze(1);           // [batch, 1, query_pos, key_pos]
    }
}
