using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Measures an SAE on a model: reconstruction MSE, explained variance, L0, dead features and cross-entropy loss recovered.
/// For a transcoder the reconstruction is its prediction of the output hook, and the zero-ablated loss zeroes that hook.
/// </summary>
/// <example>
/// <code>
/// var eval = SaeEvaluator.Evaluate(model, sae, File.ReadLines("data/text/exodus.txt"), contextLength: 64, maxContexts: 32);
/// Console.WriteLine(eval);
/// </code>
/// </example>
public static class SaeEvaluator
{
    /// <summary>Evaluates on the first <paramref name="maxContexts"/> contexts of <paramref name="contextLength"/> tokens cut from <paramref name="lines"/>.</summary>
    public static SaeEvaluation Evaluate(HookedTransformer model, SparseAutoencoder sae, IEnumerable<string> lines, int contextLength = 64, int maxContexts = 32)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(lines);
        if (maxContexts < 1) throw new ArgumentException($"maxContexts must be at least 1, but is {maxContexts}.", nameof(maxContexts));
        var contexts = TextContexts.FromLines(TextContexts.RequireTokenizer(model).Tokenizer!, lines, contextLength).Take(maxContexts).ToList();
        if (contexts.Count == 0) throw new ArgumentException($"The text holds fewer than {contextLength} tokens: give more text or a shorter context.", nameof(lines));
        using var tokens = tensor(contexts.SelectMany(c => c.Select(t => (long)t)).ToArray(), [contexts.Count, contextLength], ScalarType.Int64);
        return Evaluate(model, sae, tokens);
    }

    /// <summary>
    /// Evaluates on token contexts <c>[batch, pos]</c> (no padding), <paramref name="batchSize"/> contexts per forward.
    /// When the first token is BOS, the first position of every context is left out of the reconstruction statistics.
    /// </summary>
    public static SaeEvaluation Evaluate(HookedTransformer model, SparseAutoencoder sae, Tensor tokens, int batchSize = 8)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sae);
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.dim() != 2 || tokens.shape[1] < 2)
            throw new ArgumentException($"tokens must be [batch, pos] with pos ≥ 2, but have shape [{string.Join(", ", tokens.shape)}].", nameof(tokens));
        if (batchSize < 1) throw new ArgumentException($"batchSize must be at least 1, but is {batchSize}.", nameof(batchSize));
        bool skipFirst = model.Tokenizer?.BosTokenId is { } bos && tokens[0, 0].item<long>() == bos;
        using var scope = NewDisposeScope();
        var counted = arange(tokens.shape[1], ScalarType.Int64).ge(skipFirst ? 1 : 0).unsqueeze(0).expand(tokens.shape[0], -1);
        return Measure(model, sae, tokens, null, counted, null, batchSize);
    }

    /// <summary>
    /// Evaluates on the real tokens of a padded batch, <paramref name="batchSize"/> rows per forward: pads are never
    /// reconstructed nor counted, a row's first token is left out of the reconstruction statistics when it is BOS,
    /// and the cross-entropy counts only predictions whose input and target tokens are both real. The result equals
    /// the evaluation of the same positions with each prompt run alone.
    /// </summary>
    /// <example>
    /// <code>
    /// using var batch = model.ToTokens(["In the beginning God created the heaven and the earth.", "And God said"]);
    /// Console.WriteLine(SaeEvaluator.Evaluate(model, sae, batch));
    /// </code>
    /// </example>
    public static SaeEvaluation Evaluate(HookedTransformer model, SparseAutoencoder sae, TokenBatch batch, int batchSize = 8)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sae);
        ArgumentNullException.ThrowIfNull(batch);
        if (batchSize < 1) throw new ArgumentException($"batchSize must be at least 1, but is {batchSize}.", nameof(batchSize));
        if (batch.Lengths.Max() < 2) throw new ArgumentException("Every row has one token: give at least one prompt of two or more tokens, so there is a next token to predict.", nameof(batch));
        using var scope = NewDisposeScope();
        var real = batch.RealMask(CPU);
        var counted = Counted(model, batch);
        if (!counted.any().item<bool>()) throw new ArgumentException("The batch holds no real token besides BOS: give longer prompts.", nameof(batch));
        long pos = batch.Width;
        var pairs = real.narrow(1, 0, pos - 1).logical_and(real.narrow(1, 1, pos - 1)); // [batch, pos - 1]
        return Measure(model, sae, batch.Tokens, batch.AttentionMask, counted, pairs, batchSize);
    }

    /// <summary>
    /// The positions of a padded batch whose activations an SAE is trained and measured on (<c>[batch, pos]</c> bool,
    /// on the CPU): every real token except a row's first when it is BOS.
    /// </summary>
    internal static Tensor Counted(HookedTransformer model, TokenBatch batch)
    {
        int width = batch.Width;
        var keep = new bool[batch.Count * width];
        int? bos = model.Tokenizer?.BosTokenId;
        for (int r = 0; r < batch.Count; r++)
        {
            int first = batch.FirstIndex(r);
            bool skip = bos is { } b && batch.Ids(r)[0] == b;
            for (int p = first + (skip ? 1 : 0); p < first + batch.Lengths[r]; p++) keep[r * width + p] = true;
        }
        return tensor(keep, [batch.Count, width]);
    }

    /// <summary>
    /// The shared measurement: reconstruction statistics over the <paramref name="counted"/> positions
    /// (<c>[batch, pos]</c> bool), cross-entropies over the predictions <paramref name="pairs"/> allows
    /// (<c>[batch, pos - 1]</c>, null: all), forwards under <paramref name="attentionMask"/> (null: no pads).
    /// </summary>
    static SaeEvaluation Measure(HookedTransformer model, SparseAutoencoder sae, Tensor tokens, Tensor? attentionMask, Tensor counted, Tensor? pairs, int batchSize)
    {
        model.GetHookPoint(sae.Config.HookName);
        model.GetHookPoint(sae.Config.OutputHookName);
        double sqErr = 0, sumSq = 0, l0 = 0, ceClean = 0, ceSae = 0, ceZero = 0;
        long count = 0, ceCount = 0;
        Tensor? sum = null, fired = null;
        try
        {
            using var noGrad = no_grad();
            for (long start = 0; start < tokens.shape[0]; start += batchSize)
            {
                using var scope = NewDisposeScope();
                long rows = Math.Min(batchSize, tokens.shape[0] - start);
                var batch = tokens.narrow(0, start, rows).to(model.Device);
                var mask = attentionMask?.narrow(0, start, rows);
                var keep = counted.narrow(0, start, rows).to(model.Device);
                var pairMask = pairs?.narrow(0, start, rows).to(model.Device);
                using var captured = new TensorStore();
                Tensor cleanLogits;
                var store = captured.Hook();
                var hooks = new[] { sae.Config.HookName, sae.Config.OutputHookName }.Distinct().Select(n => (n, store)).ToArray();
                using (model.Hooks(hooks))
                    cleanLogits = model.ForwardCore(batch, null, null, null, mask);
                Tensor Rows(Tensor a) => a.index([TensorIndex.Tensor(keep)]).to(sae.WEnc.dtype); // [n, d]
                var x = Rows(captured[sae.Config.HookName]);
                var y = Rows(captured[sae.Config.OutputHookName]); // what the SAE reconstructs, or the transcoder predicts
                var acts = sae.Activate(sae.PreActivation(x));
                var recon = sae.Output(acts, x);
                sqErr += (y - recon).pow(2).sum().to(ScalarType.Float64).item<double>();
                sumSq += y.to(ScalarType.Float64).pow(2).sum().item<double>();
                var batchSum = y.to(ScalarType.Float64).sum([0]);
                var batchFired = acts.gt(0).sum([0]).gt(0);
                sum = sum is null ? batchSum.DetachFromDisposeScope() : Replace(sum, sum + batchSum);
                fired = fired is null ? batchFired.DetachFromDisposeScope() : Replace(fired, fired.logical_or(batchFired));
                l0 += acts.gt(0).sum().to(ScalarType.Float64).item<double>();
                count += x.shape[0];

                ceClean += NextTokenLoss(cleanLogits, batch, pairMask, out long n);
                using (model.WithSae(sae)) ceSae += NextTokenLoss(model.ForwardCore(batch, null, null, null, mask), batch, pairMask, out _);
                using (model.Hooks((sae.Config.OutputHookName, (act, _) => zeros_like(act))))
                    ceZero += NextTokenLoss(model.ForwardCore(batch, null, null, null, mask), batch, pairMask, out _);
                ceCount += n;
            }
            double total = sumSq - sum!.pow(2).sum().item<double>() / count;
            double clean = ceClean / ceCount, withSae = ceSae / ceCount, zero = ceZero / ceCount;
            return new SaeEvaluation(count, sqErr / (count * (double)sae.Config.OutputWidth), 1 - sqErr / total, l0 / count,
                (int)fired!.logical_not().sum().item<long>(), clean, withSae, zero, (zero - withSae) / (zero - clean));
        }
        finally
        {
            sum?.Dispose();
            fired?.Dispose();
        }
    }

    static Tensor Replace(Tensor old, Tensor value)
    {
        old.Dispose();
        return value.DetachFromDisposeScope();
    }

    /// <summary>The summed next-token loss over the predictions <paramref name="pairs"/> allows (null: all), and their number.</summary>
    static double NextTokenLoss(Tensor logits, Tensor tokens, Tensor? pairs, out long count)
    {
        using var scope = NewDisposeScope();
        long pos = tokens.shape[1];
        var logProbs = logits.narrow(1, 0, pos - 1).to(ScalarType.Float32).log_softmax(-1);
        var nll = -logProbs.gather(-1, tokens.narrow(1, 1, pos - 1).unsqueeze(-1)).squeeze(-1); // [batch, pos - 1]
        if (pairs is null)
        {
            count = nll.numel();
            return nll.to(ScalarType.Float64).sum().item<double>();
        }
        count = pairs.sum().item<long>();
        return nll.masked_fill(pairs.logical_not(), 0).to(ScalarType.Float64).sum().item<double>();
    }
}
