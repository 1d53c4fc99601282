using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Runs many activation patches against one clean/corrupted pair. Patched copies of the corrupted run are stacked
/// along the batch dimension (patch <c>k</c>, prompt <c>b</c> in row <c>k·batch + b</c>); a patch that cannot
/// change anything is answered from the corrupted run; a patched run starts at the patch's block.
/// </summary>
internal static class PatchRunner
{
    public static Tensor Run(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric,
                             IReadOnlyList<Patch> patches, PatchingOptions? options, IProgress<PatchingProgress>? progress)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(patches);
        options ??= new PatchingOptions();
        options.Validate();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (clean, corrupt) = CheckPair(model, cleanTokens, corruptTokens);
        foreach (var p in patches)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(patches));
            model.GetHookPoint(p.HookName); // unknown names fail before any work
        }
        long batch = corrupt.shape[0];
        var names = patches.Select(p => p.HookName).Distinct().ToList();
        var order = model.LayerOrder;
        var residNames = options.ReusePrefix ? order.Select(l => HookNames.Of("resid_pre", l)).ToList() : new List<string>();
        var mask = options.AttentionMask;
        using var cleanActs = Capture(model, clean, names, out _, mask);
        using var corruptActs = Capture(model, corrupt, names.Concat(residNames).Distinct(), out var corruptLogits, mask);
        double baseline = MeanMetric(metric, corruptLogits);

        var values = new double[patches.Count];
        int done = 0;
        var pending = new List<(int Patch, int Start)>();
        for (int i = 0; i < patches.Count; i++)
        {
            var p = patches[i];
            if (options.SkipUnchangedPatches && Unchanged(cleanActs[p.HookName], corruptActs[p.HookName], p.Index))
            {
                values[i] = baseline;
                done++;
                continue;
            }
            int start = -1;
            if (options.ReusePrefix && HookNames.LayerOf(p.HookName) is { } layer) start = IndexOf(order, layer);
            pending.Add((i, start));
        }
        progress?.Report(new PatchingProgress(done, patches.Count));

        bool lastOnly = options.LastPositionLogitsOnly ?? Metrics.ReadsOnlyLastPosition(metric);
        int chunk = options.ChunkSize ?? ChunkFromBudget(model, batch, corrupt.shape[1], options.MemoryBudgetBytes);
        // Chunks never mix start blocks, so no row recomputes blocks its patch cannot change.
        var chunks = pending.GroupBy(p => p.Start).OrderBy(g => g.Key)
            .SelectMany(g => g.Chunk(chunk)).Select(c => c.ToList()).ToList();
        foreach (var group in chunks)
        {
            using var chunkScope = NewDisposeScope();
            int k = group.Count;
            var hooks = group.Select((g, row) => (Row: row, Patch: patches[g.Patch]))
                .GroupBy(x => x.Patch.HookName)
                .Select(byName => (byName.Key, (HookFunction)((act, hook) =>
                {
                    var patched = act.clone();
                    var cleanAct = cleanActs[hook.Name];
                    foreach (var (row, patch) in byName)
                    {
                        var target = new TensorIndex[] { TensorIndex.Slice(row * batch, (row + 1) * batch) }.Concat(patch.Index).ToArray();
                        var source = new TensorIndex[] { TensorIndex.Colon }.Concat(patch.Index).ToArray();
                        patched.index_put_(cleanAct.index(source), target);
                    }
                    return patched;
                })))
                .ToArray();
            Tensor logits;
            using (model.Hooks(hooks))
            {
                int start = group[0].Start;
                var rowsMask = mask?.repeat(k, 1);
                logits = start < 0
                    ? model.ForwardCore(corrupt.repeat(k, 1), null, null, null, rowsMask)
                    : model.ForwardFrom(start, corruptActs[HookNames.Of("resid_pre", order[start])].repeat(k, 1, 1), lastOnly, rowsMask);
                if (lastOnly && start < 0) logits = logits.narrow(1, logits.shape[1] - 1, 1);
            }
            for (int row = 0; row < k; row++)
                values[group[row].Patch] = MeanMetric(metric, logits.narrow(0, row * batch, batch));
            done += k;
            progress?.Report(new PatchingProgress(done, patches.Count));
        }
        return tensor(values.Select(v => (float)v).ToArray()).MoveToOuterDisposeScope();
    }

    /// <summary>Validates a clean/corrupted pair and returns both as int64 <c>[batch, pos]</c> on the model's device.</summary>
    internal static (Tensor Clean, Tensor Corrupt) CheckPair(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens)
    {
        ArgumentNullException.ThrowIfNull(cleanTokens);
        ArgumentNullException.ThrowIfNull(corruptTokens);
        var clean = model.PrepareTokens(cleanTokens, 0);
        var corrupt = model.PrepareTokens(corruptTokens, 0);
        if (clean.shape[1] != corrupt.shape[1])
            throw new ArgumentException(
                $"the clean prompt has {clean.shape[1]} tokens but the corrupted prompt has {corrupt.shape[1]}: patching compares the two " +
                "position by position, so they must tokenize to the same length (choose a corruption that swaps single tokens).", nameof(corruptTokens));
        if (clean.shape[0] != corrupt.shape[0])
            throw new ArgumentException(
                $"there are {clean.shape[0]} clean prompts but {corrupt.shape[0]} corrupted ones: give one corrupted prompt per clean prompt.", nameof(corruptTokens));
        return (clean, corrupt);
    }

    /// <summary>Fails unless two padded batches have the same attention mask, so they can be compared position by position.</summary>
    internal static void RequireSamePadding(TokenBatch clean, TokenBatch corrupt)
    {
        ArgumentNullException.ThrowIfNull(clean);
        ArgumentNullException.ThrowIfNull(corrupt);
        bool same;
        using (NewDisposeScope())
            same = clean.AttentionMask.shape.SequenceEqual(corrupt.AttentionMask.shape)
                   && clean.AttentionMask.to(corrupt.AttentionMask.device).eq(corrupt.AttentionMask).all().item<bool>();
        if (!same)
            throw new ArgumentException(
                "the clean and corrupted batches are padded differently: patching compares them position by position, so give rows of equal lengths, padded on the same side.",
                nameof(corrupt));
    }

    /// <summary>Activations at <paramref name="names"/> for one forward pass, kept beyond it; the logits come out too.</summary>
    internal static TensorStore Capture(HookedTransformer model, Tensor tokens, IEnumerable<string> names, out Tensor logits, Tensor? attentionMask = null)
    {
        var store = new TensorStore();
        try
        {
            var keep = store.Hook();
            using (model.Hooks(names.Select(n => (n, keep)).ToArray()))
                logits = model.ForwardCore(tokens, null, null, null, attentionMask);
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    internal static double MeanMetric(Func<Tensor, Tensor> metric, Tensor logits)
    {
        var value = metric(logits);
        if (value.numel() != logits.shape[0])
            throw new ArgumentException(
                $"the metric must return one value per batch element ([{logits.shape[0]}]), but returned shape [{string.Join(", ", value.shape)}].", nameof(metric));
        return value.to(ScalarType.Float64).mean().item<double>();
    }

    internal static int ChunkFromBudget(HookedTransformer model, long batch, long pos, long budget)
    {
        var c = model.Config;
        long elem = model.Dtype switch { ScalarType.Float64 => 8, ScalarType.Float16 or ScalarType.BFloat16 => 2, _ => 4 };
        // Every block keeps a few dozen d_model-sized tensors, the MLP hidden state and one or two attention
        // patterns alive per row; the logits are the largest single tensor.
        long perRow = elem * pos * (c.NLayers * (20L * c.DModel + 4L * c.DMlp + 2L * c.NHeads * pos) + 2L * c.DVocab);
        return (int)Math.Clamp(budget / Math.Max(1, perRow * batch), 1, 4096);
    }

    static bool Unchanged(Tensor clean, Tensor corrupt, TensorIndex[] index)
    {
        var source = new TensorIndex[] { TensorIndex.Colon }.Concat(index).ToArray();
        return clean.index(source).eq(corrupt.index(source)).all().item<bool>();
    }

    static int IndexOf(IReadOnlyList<int> order, int layer)
    {
        for (int i = 0; i < order.Count; i++) if (order[i] == layer) return i;
        return -1;
    }
}
