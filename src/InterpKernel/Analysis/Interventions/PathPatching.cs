using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Path patching (Wang et al., the IOI circuit): the effect of a sender head on the metric through chosen receivers
/// only. In a corrupted run, the sender's output (<c>hook_z</c>) takes its clean value while every other head is
/// frozen to its corrupted value; the receivers' inputs from that run are then patched into a fresh corrupted run,
/// whose metric is reported. Senders are batched like <see cref="ActivationPatching"/>.
/// </summary>
/// <example>
/// <code>
/// // Which layer-0 heads matter through the query of head 1.3?
/// using var effect = PathPatching.Sweep(model, clean, corrupt, metric, new[] { PathReceiver.Query(1, 3) }); // [n_layers, n_heads]
/// </code>
/// </example>
public static class PathPatching
{
    /// <summary>
    /// The metric after path patching each head in turn as the sender: <c>[n_layers, n_heads]</c>. Heads that cannot
    /// reach a receiver (same or later layer) leave the corrupted metric. With <paramref name="freezeMlps"/>, MLP outputs
    /// are frozen to the corrupted run as well, so only direct head-to-receiver paths count. A
    /// <see cref="PatchingOptions.AttentionMask"/> makes the tokens a padded batch, as the <see cref="TokenBatch"/> overload does.
    /// </summary>
    public static Tensor Sweep(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric,
                               IReadOnlyList<PathReceiver> receivers, bool freezeMlps = false, PatchingOptions? options = null,
                               IProgress<PatchingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var senders = Enumerable.Range(0, model.Config.NLayers)
            .SelectMany(l => Enumerable.Range(0, model.Config.NHeads).Select(h => (l, h))).ToList();
        using var scope = NewDisposeScope();
        return Run(model, cleanTokens, corruptTokens, metric, senders, receivers, freezeMlps, options, progress)
            .reshape(model.Config.NLayers, model.Config.NHeads).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <see cref="Sweep(HookedTransformer, Tensor, Tensor, Func{Tensor, Tensor}, IReadOnlyList{PathReceiver}, bool, PatchingOptions?, IProgress{PatchingProgress}?)"/>
    /// over padded prompts: <paramref name="clean"/> and <paramref name="corrupt"/> must have the same attention mask.
    /// Pads get no attention and positions count real tokens; receivers are patched at real positions only; the
    /// metric sees each row's logits with its real tokens last (a left-padded batch as it is, a right-padded one with
    /// each row rotated), so position −1 is every row's last real token; pads never enter the mean over rows. Each row
    /// gives what it gives alone.
    /// </summary>
    /// <example>
    /// <code>
    /// using var clean = model.ToTokens(cleanPrompts, PaddingSide.Right);
    /// using var corrupt = model.ToTokens(corruptPrompts, PaddingSide.Right);
    /// using var effect = PathPatching.Sweep(model, clean, corrupt, logits => logits.select(1, -1)[.., 7] - logits.select(1, -1)[.., 9],
    ///     new[] { PathReceiver.Query(1, 3) });
    /// </code>
    /// </example>
    public static Tensor Sweep(HookedTransformer model, TokenBatch clean, TokenBatch corrupt, Func<Tensor, Tensor> metric,
                               IReadOnlyList<PathReceiver> receivers, bool freezeMlps = false, PatchingOptions? options = null,
                               IProgress<PatchingProgress>? progress = null)
    {
        PatchRunner.RequireSamePadding(clean, corrupt);
        return Sweep(model, clean.Tokens, corrupt.Tokens, metric, receivers, freezeMlps,
            (options ?? new PatchingOptions()) with { AttentionMask = clean.AttentionMask }, progress);
    }

    /// <summary>The metric after path patching one sender head through <paramref name="receivers"/>.</summary>
    public static double Single(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric,
                                int senderLayer, int senderHead, IReadOnlyList<PathReceiver> receivers, bool freezeMlps = false) =>
        RunOne(model, cleanTokens, corruptTokens, metric, senderLayer, senderHead, receivers, freezeMlps, null);

    /// <summary>
    /// <see cref="Single(HookedTransformer, Tensor, Tensor, Func{Tensor, Tensor}, int, int, IReadOnlyList{PathReceiver}, bool)"/>
    /// over padded prompts with the same attention mask, as
    /// <see cref="Sweep(HookedTransformer, TokenBatch, TokenBatch, Func{Tensor, Tensor}, IReadOnlyList{PathReceiver}, bool, PatchingOptions?, IProgress{PatchingProgress}?)"/> does.
    /// </summary>
    public static double Single(HookedTransformer model, TokenBatch clean, TokenBatch corrupt, Func<Tensor, Tensor> metric,
                                int senderLayer, int senderHead, IReadOnlyList<PathReceiver> receivers, bool freezeMlps = false)
    {
        PatchRunner.RequireSamePadding(clean, corrupt);
        return RunOne(model, clean.Tokens, corrupt.Tokens, metric, senderLayer, senderHead, receivers, freezeMlps,
            new PatchingOptions { AttentionMask = clean.AttentionMask });
    }

    static double RunOne(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric,
                         int senderLayer, int senderHead, IReadOnlyList<PathReceiver> receivers, bool freezeMlps, PatchingOptions? options)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (senderLayer < 0 || senderLayer >= model.Config.NLayers)
            throw new ArgumentOutOfRangeException(nameof(senderLayer), senderLayer, $"the model has {model.Config.NLayers} layers (0 to {model.Config.NLayers - 1}).");
        if (senderHead < 0 || senderHead >= model.Config.NHeads)
            throw new ArgumentOutOfRangeException(nameof(senderHead), senderHead, $"the model has {model.Config.NHeads} heads per layer (0 to {model.Config.NHeads - 1}).");
        using var scope = NewDisposeScope();
        return Run(model, cleanTokens, corruptTokens, metric, new[] { (senderLayer, senderHead) }, receivers, freezeMlps, options, null)[0].item<float>();
    }

    static Tensor Run(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric,
                      IReadOnlyList<(int Layer, int Head)> senders, IReadOnlyList<PathReceiver> receivers, bool freezeMlps,
                      PatchingOptions? options, IProgress<PatchingProgress>? progress)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(receivers);
        if (receivers.Count == 0) throw new ArgumentException("give at least one receiver (e.g. PathReceiver.Query(1, 3)).", nameof(receivers));
        options ??= new PatchingOptions();
        options.Validate();
        var receiverIndex = receivers.Select(r =>
        {
            ArgumentNullException.ThrowIfNull(r, nameof(receivers));
            r.Validate(model, nameof(receivers));
            model.GetHookPoint(r.HookName);
            if (r.HookName.EndsWith(".attn.hook_z", StringComparison.Ordinal))
                throw new ArgumentException($"'{r.HookName}' is frozen during path patching, so it cannot be a receiver: use hook_q, hook_k, hook_v or a residual stream.", nameof(receivers));
            return (r.HookName, Index: r.Index());
        }).ToList();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (clean, corrupt) = PatchRunner.CheckPair(model, cleanTokens, corruptTokens);
        long batch = corrupt.shape[0];
        var zNames = Enumerable.Range(0, model.Config.NLayers).Select(l => HookNames.Of("z", l)).ToList();
        var mlpNames = freezeMlps ? Enumerable.Range(0, model.Config.NLayers).Select(l => HookNames.Of("mlp_out", l)).ToList() : new List<string>();
        var mask = options.AttentionMask;
        using var cleanActs = PatchRunner.Capture(model, clean, zNames, out _, mask);
        using var corruptActs = PatchRunner.Capture(model, corrupt, zNames.Concat(mlpNames), out _, mask);
        var real = mask?.to(model.Device).ne(0);                                         // [batch, pos]
        var lastReal = real is null ? null : RealLast(real);                             // [batch, pos]

        int chunk = options.ChunkSize ?? PatchRunner.ChunkFromBudget(model, batch, corrupt.shape[1], options.MemoryBudgetBytes);
        var values = new float[senders.Count];
        for (int c = 0; c < senders.Count; c += chunk)
        {
            using var chunkScope = NewDisposeScope();
            int k = Math.Min(chunk, senders.Count - c);
            var repeated = corrupt.repeat(k, 1);
            var rowsMask = mask?.repeat(k, 1);
            // Run 1: sender clean, every other head (and optionally every MLP) frozen to the corrupted run; read the receivers.
            var frozen = new List<(string, HookFunction)>();
            foreach (var name in zNames)
            {
                frozen.Add((name, (a, h) =>
                {
                    var z = corruptActs[h.Name].repeat(k, 1, 1, 1); // [k * batch, pos, head_index, d_head]
                    for (int row = 0; row < k; row++)
                    {
                        var (layer, head) = senders[c + row];
                        if (HookNames.Of("z", layer) != h.Name) continue;
                        z.index_put_(cleanActs[h.Name].select(2, head),
                            TensorIndex.Slice(row * batch, (row + 1) * batch), TensorIndex.Colon, TensorIndex.Single(head));
                    }
                    return z;
                }));
            }
            foreach (var name in mlpNames) frozen.Add((name, (a, h) => corruptActs[h.Name].repeat(k, 1, 1)));
            using var received = new TensorStore();
            var receive = received.Hook((a, _) => a.clone());
            foreach (var (name, _) in receiverIndex.DistinctBy(r => r.HookName))
                frozen.Add((name, receive));
            using (model.Hooks(frozen.ToArray())) model.ForwardCore(repeated, null, null, null, rowsMask);

            // Run 2: a fresh corrupted run whose receivers read what they read in run 1.
            var patchHooks = receiverIndex.GroupBy(r => r.HookName).Select(g => (g.Key, (HookFunction)((a, h) =>
            {
                var patched = a.clone();
                foreach (var (_, index) in g)
                {
                    var all = new TensorIndex[] { TensorIndex.Colon }.Concat(index).ToArray();
                    patched.index_put_(received[h.Name].index(all), all);
                }
                return real is null ? patched : where(AtPositions(real.repeat(k, 1), h.Name, patched.dim()), patched, a);
            }))).ToArray();
            Tensor logits;
            using (model.Hooks(patchHooks)) logits = model.ForwardCore(repeated, null, null, null, rowsMask);
            for (int row = 0; row < k; row++)
            {
                var rowLogits = logits.narrow(0, row * batch, batch);
                if (lastReal is not null) rowLogits = rowLogits.gather(1, lastReal.unsqueeze(-1).expand(-1, -1, rowLogits.shape[^1]));
                values[c + row] = (float)PatchRunner.MeanMetric(metric, rowLogits);
            }
            progress?.Report(new PatchingProgress(c + k, senders.Count));
        }
        return tensor(values).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// For each row, the positions in an order that puts its pads first and its real tokens last, each group in its
    /// own order (<c>[batch, pos]</c>): the identity for left padding, a rotation for right padding.
    /// </summary>
    static Tensor RealLast(Tensor real)
    {
        long pos = real.shape[1];
        var key = real.to(ScalarType.Int64) * pos + arange(pos, ScalarType.Int64, real.device).unsqueeze(0);
        return key.argsort(1);
    }

    /// <summary>The real-position mask <paramref name="real"/> <c>[batch, pos]</c> shaped to broadcast over a hook's activation.</summary>
    static Tensor AtPositions(Tensor real, string hookName, long dims)
    {
        bool byQuery = hookName.EndsWith(".hook_pattern", StringComparison.Ordinal) || hookName.EndsWith(".hook_attn_scores", StringComparison.Ordinal);
        if (byQuery) return real.unsqueeze(1).unsqueeze(-1);                          // [batch, 1, query_pos, 1]
        var shape = new long[dims];
        Array.Fill(shape, 1L);
        shape[0] = real.shape[0];
        shape[1] = real.shape[1];
        return real.reshape(shape);                                                    // [batch, pos, 1, ...]
    }
}
