using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Activation patching: copy activations of a clean run into a corrupted run, one component at a time, and report
/// the metric of each patched run (TransformerLens semantics). Patched runs are batched: many patched copies of
/// the corrupted run go through one forward pass (<see cref="PatchingOptions"/>).
/// The metric maps logits <c>[batch, pos, d_vocab]</c> to <c>[batch]</c>; with several prompts the reported value
/// is its mean over the batch.
/// </summary>
/// <example>
/// <code>
/// using var clean = model.ToTokens("And Abraham said unto Isaac, Behold the fire. And Abraham said unto");
/// using var corrupt = model.ToTokens("And Jacob said unto Isaac, Behold the fire. And Abraham said unto");
/// var metric = Metrics.LogitDiff(model.ToSingleToken(" Isaac"), model.ToSingleToken(" Jacob"));
/// using var heat = ActivationPatching.ResidPre(model, clean, corrupt, metric); // [n_layers, pos]
/// </code>
/// </example>
public static class ActivationPatching
{
    /// <summary>Patches <c>hook_resid_pre</c> of each layer at each position: <c>[n_layers, pos]</c>.</summary>
    public static Tensor ResidPre(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric,
                                  PatchingOptions? options = null, IProgress<PatchingProgress>? progress = null) =>
        Plain(model, cleanTokens, corruptTokens, metric, PatchTarget.ResidPre, options, progress);

    /// <summary>Patches <c>hook_resid_mid</c> of each layer at each position: <c>[n_layers, pos]</c>.</summary>
    public static Tensor ResidMid(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric,
                                  PatchingOptions? options = null, IProgress<PatchingProgress>? progress = null) =>
        Plain(model, cleanTokens, corruptTokens, metric, PatchTarget.ResidMid, options, progress);

    /// <summary>Patches <c>hook_resid_post</c> of each layer at each position: <c>[n_layers, pos]</c>.</summary>
    public static Tensor ResidPost(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric,
                                   PatchingOptions? options = null, IProgress<PatchingProgress>? progress = null) =>
        Plain(model, cleanTokens, corruptTokens, metric, PatchTarget.ResidPost, options, progress);

    /// <summary>Patches <c>hook_attn_out</c> of each layer at each position: <c>[n_layers, pos]</c>.</summary>
    public static Tensor AttnOut(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric,
                                 PatchingOptions? options = null, IProgress<PatchingProgress>? progress = null) =>
        Plain(model, cleanTokens, corruptTokens, metric, PatchTarget.AttnOut, options, progress);

    /// <summary>Patches <c>hook_mlp_out</c> of each layer at each position: <c>[n_layers, pos]</c>.</summary>
    public static Tensor MlpOut(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric,
                                PatchingOptions? options = null, IProgress<PatchingProgress>? progress = null) =>
        Plain(model, cleanTokens, corruptTokens, metric, PatchTarget.MlpOut, options, progress);

    /// <summary>Patches <c>hook_z</c> of one head at every position: <c>[n_layers, n_heads]</c>.</summary>
    public static Tensor HeadOut(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric,
                                 PatchingOptions? options = null, IProgress<PatchingProgress>? progress = null) =>
        Plain(model, cleanTokens, corruptTokens, metric, PatchTarget.HeadOut, options, progress);

    /// <summary>Patches <c>hook_z</c> of one head at one position: <c>[n_layers, pos, n_heads]</c>.</summary>
    public static Tensor HeadOutByPos(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric,
                                      PatchingOptions? options = null, IProgress<PatchingProgress>? progress = null) =>
        Plain(model, cleanTokens, corruptTokens, metric, PatchTarget.HeadOutByPos, options, progress);

    /// <summary>Patches <c>hook_q</c> of one head at every position: <c>[n_layers, n_heads]</c>.</summary>
    public static Tensor HeadQ(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric,
                               PatchingOptions? options = null, IProgress<PatchingProgress>? progress = null) =>
        Plain(model, cleanTokens, corruptTokens, metric, PatchTarget.HeadQ, options, progress);

    /// <summary>Patches <c>hook_k</c> of one key/value head at every position: <c>[n_layers, n_kv_heads]</c>.</summary>
    public static Tensor HeadK(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric,
                               PatchingOptions? options = null, IProgress<PatchingProgress>? progress = null) =>
        Plain(model, cleanTokens, corruptTokens, metric, PatchTarget.HeadK, options, progress);

    /// <summary>Patches <c>hook_v</c> of one key/value head at every position: <c>[n_layers, n_kv_heads]</c>.</summary>
    public static Tensor HeadV(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric,
                               PatchingOptions? options = null, IProgress<PatchingProgress>? progress = null) =>
        Plain(model, cleanTokens, corruptTokens, metric, PatchTarget.HeadV, options, progress);

    /// <summary>Patches <c>hook_pattern</c> of one head (all queries and keys): <c>[n_layers, n_heads]</c>.</summary>
    public static Tensor HeadPattern(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric,
                                     PatchingOptions? options = null, IProgress<PatchingProgress>? progress = null) =>
        Plain(model, cleanTokens, corruptTokens, metric, PatchTarget.HeadPattern, options, progress);

    /// <summary>
    /// Any patches at any hooks with any index sets: the metric of each patched run, <c>[patches.Count]</c>.
    /// </summary>
    /// <example>
    /// <code>
    /// // Patch heads 0..3 of layer 1 together at the last position, then the whole embedding.
    /// using var v = ActivationPatching.Run(model, clean, corrupt, metric, new[]
    /// {
    ///     new Patch("blocks.1.attn.hook_z", new[] { TensorIndex.Single(-1), TensorIndex.Slice(0, 4) }),
    ///     Patch.All("hook_embed"),
    /// });
    /// </code>
    /// </example>
    public static Tensor Run(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric,
                             IReadOnlyList<Patch> patches, PatchingOptions? options = null, IProgress<PatchingProgress>? progress = null) =>
        PatchRunner.Run(model, cleanTokens, corruptTokens, metric, patches, options, progress);

    /// <summary>
    /// Patches padded prompts: <paramref name="clean"/> and <paramref name="corrupt"/> must have the same attention
    /// mask (pad them on the left, with rows of equal lengths, so every row's last position is its last real token).
    /// Pads get no attention and positions count real tokens, so each row gives what it gives alone.
    /// </summary>
    public static Tensor Run(HookedTransformer model, TokenBatch clean, TokenBatch corrupt, Func<Tensor, Tensor> metric,
                             IReadOnlyList<Patch> patches, PatchingOptions? options = null, IProgress<PatchingProgress>? progress = null)
    {
        PatchRunner.RequireSamePadding(clean, corrupt);
        var opts = (options ?? new PatchingOptions()) with { AttentionMask = clean.AttentionMask };
        return PatchRunner.Run(model, clean.Tokens, corrupt.Tokens, metric, patches, opts, progress);
    }

    /// <summary>
    /// A standard sweep as a labelled heatmap (layers down, positions or heads across). <see cref="PatchTarget.HeadOutByPos"/>
    /// comes as rows <c>L{layer}H{head}</c> × positions.
    /// </summary>
    public static PatchingResult Sweep(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric,
                                       PatchTarget target, PatchingOptions? options = null, IProgress<PatchingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        var values = Plain(model, cleanTokens, corruptTokens, metric, target, options, progress);
        var layers = Enumerable.Range(0, model.Config.NLayers).Select(l => $"L{l}").ToArray();
        string[] rows = layers, cols;
        switch (target)
        {
            case PatchTarget.HeadOut or PatchTarget.HeadQ or PatchTarget.HeadPattern:
                cols = Heads(model.Config.NHeads);
                break;
            case PatchTarget.HeadK or PatchTarget.HeadV:
                cols = Heads(model.Config.KeyValueHeads);
                break;
            case PatchTarget.HeadOutByPos:
                values = values.permute(0, 2, 1).reshape(-1, values.shape[1]); // [n_layers * n_heads, pos]
                rows = layers.SelectMany(l => Heads(model.Config.NHeads).Select(h => l + h)).ToArray();
                cols = PositionLabels(model, cleanTokens);
                break;
            default:
                cols = PositionLabels(model, cleanTokens);
                break;
        }
        string metricName = (options ?? new PatchingOptions()).MetricName;
        return new PatchingResult(values.MoveToOuterDisposeScope(), rows, cols, metricName, $"Activation patching: {Describe(target)}");
    }

    /// <summary>Labels for token positions: <c>{index}: {token}</c>, or the index alone for models without a tokenizer.</summary>
    public static string[] PositionLabels(HookedTransformer model, Tensor tokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokens);
        var row = tokens.dim() == 2 ? tokens[0] : tokens;
        if (model.Tokenizer is null) return Enumerable.Range(0, (int)row.shape[0]).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return model.ToStrTokens(row).Select((t, i) => $"{i}: {t}").ToArray();
    }

    static string[] Heads(int n) => Enumerable.Range(0, n).Select(h => $"H{h}").ToArray();

    static string Describe(PatchTarget target) => target switch
    {
        PatchTarget.ResidPre => "resid_pre by layer and position",
        PatchTarget.ResidMid => "resid_mid by layer and position",
        PatchTarget.ResidPost => "resid_post by layer and position",
        PatchTarget.AttnOut => "attn_out by layer and position",
        PatchTarget.MlpOut => "mlp_out by layer and position",
        PatchTarget.HeadOut => "head outputs (z, every position) by layer and head",
        PatchTarget.HeadOutByPos => "head outputs (z) by head and position",
        PatchTarget.HeadQ => "queries by layer and head",
        PatchTarget.HeadK => "keys by layer and head",
        PatchTarget.HeadV => "values by layer and head",
        _ => "attention patterns by layer and head",
    };

    static Tensor Plain(HookedTransformer model, Tensor cleanTokens, Tensor corruptTokens, Func<Tensor, Tensor> metric,
                        PatchTarget target, PatchingOptions? options, IProgress<PatchingProgress>? progress)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(cleanTokens);
        var cfg = model.Config;
        long pos = cleanTokens.shape[^1];
        int L = cfg.NLayers;
        var patches = new List<Patch>();
        long[] shape;
        switch (target)
        {
            case PatchTarget.ResidPre or PatchTarget.ResidMid or PatchTarget.ResidPost or PatchTarget.AttnOut or PatchTarget.MlpOut:
                if (target == PatchTarget.ResidMid && cfg.ParallelAttnMlp)
                    throw new ArgumentException("this model runs attention and MLP in parallel, so it has no hook_resid_mid to patch.", nameof(target));
                string act = target switch
                {
                    PatchTarget.ResidPre => "resid_pre", PatchTarget.ResidMid => "resid_mid", PatchTarget.ResidPost => "resid_post",
                    PatchTarget.AttnOut => "attn_out", _ => "mlp_out",
                };
                for (int l = 0; l < L; l++)
                    for (long p = 0; p < pos; p++)
                        patches.Add(new Patch(HookNames.Of(act, l), new[] { TensorIndex.Single(p) }));
                shape = new[] { (long)L, pos };
                break;
            case PatchTarget.HeadOutByPos:
                for (int l = 0; l < L; l++)
                    for (long p = 0; p < pos; p++)
                        for (int h = 0; h < cfg.NHeads; h++)
                            patches.Add(new Patch(HookNames.Of("z", l), new[] { TensorIndex.Single(p), TensorIndex.Single(h) }));
                shape = new[] { (long)L, pos, cfg.NHeads };
                break;
            case PatchTarget.HeadPattern:
                for (int l = 0; l < L; l++)
                    for (int h = 0; h < cfg.NHeads; h++)
                        patches.Add(new Patch(HookNames.Of("pattern", l), new[] { TensorIndex.Single(h) }));
                shape = new[] { (long)L, cfg.NHeads };
                break;
            default:
                string perHead = target switch { PatchTarget.HeadOut => "z", PatchTarget.HeadQ => "q", PatchTarget.HeadK => "k", _ => "v" };
                int heads = target is PatchTarget.HeadK or PatchTarget.HeadV ? cfg.KeyValueHeads : cfg.NHeads;
                for (int l = 0; l < L; l++)
                    for (int h = 0; h < heads; h++)
                        patches.Add(new Patch(HookNames.Of(perHead, l), new[] { TensorIndex.Colon, TensorIndex.Single(h) }));
                shape = new[] { (long)L, heads };
                break;
        }
        using var scope = NewDisposeScope();
        return PatchRunner.Run(model, cleanTokens, corruptTokens, metric, patches, options, progress).reshape(shape).MoveToOuterDisposeScope();
    }
}
