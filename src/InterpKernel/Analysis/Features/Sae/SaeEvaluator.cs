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

    /// <summary>Evaluates on token contexts <c>[batch, pos]</c> (no padding), <paramref name="batchSize"/> contexts per forward.</summary>
    public static SaeEvaluation Evaluate(HookedTransformer model, SparseAutoencoder sae, Tensor tokens, int batchSize = 8)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sae);
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.dim() != 2 || tokens.shape[1] < 2)
            throw new ArgumentException($"tokens must be [batch, pos] with pos ≥ 2, but have shape [{string.Join(", ", tokens.shape)}].", nameof(tokens));
        if (batchSize < 1) throw new ArgumentException($"batchSize must be at least 1, but is {batchSize}.", nameof(batchSize));
        model.GetHookPoint(sae.Config.HookName);
        model.GetHookPoint(sae.Config.OutputHookName);
        bool skipFirst = model.Tokenizer?.BosTokenId is { } bos && tokens[0, 0].item<long>() == bos;

        double sqErr = 0, sumSq = 0, l0 = 0, ceClean = 0, ceSae = 0, ceZero = 0;
        long count = 0, ceCount = 0;
        Tensor? sum = null, fired = null;
        try
        {
            using var _ = no_grad();
            for (long start = 0; start < tokens.shape[0]; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var batch = tokens.narrow(0, start, Math.Min(batchSize, tokens.shape[0] - start)).to(model.Device);
                using var captured = new TensorStore();
                Tensor cleanLogits;
                var keep = captured.Hook();
                var hooks = new[] { sae.Config.HookName, sae.Config.OutputHookName }.Distinct().Select(n => (n, keep)).ToArray();
                using (model.Hooks(hooks))
                    cleanLogits = model.Forward(batch);
                Tensor Rows(Tensor a) => (skipFirst ? a.narrow(1, 1, a.shape[1] - 1) : a).reshape(-1, a.shape[^1]).to(sae.WEnc.dtype);
                var x = Rows(captured[sae.Config.HookName]);
                var y = Rows(captured[sae.Config.OutputHookName]); // what the SAE reconstructs, or the transcoder predicts
                var acts = sae.Activate(sae.PreActivation(x));
                var recon = sae.Output(acts, x);
                sqErr += (y - recon).pow(2).sum().to(ScalarType.Float64).item<double>();
                sumSq += y.pow(2).sum().to(ScalarType.Float64).item<double>();
                var batchSum = y.to(ScalarType.Float64).sum([0]);
                var batchFired = acts.gt(0).sum([0]).gt(0);
                sum = sum is null ? batchSum.DetachFromDisposeScope() : Replace(sum, sum + batchSum);
                fired = fired is null ? batchFired.DetachFromDisposeScope() : Replace(fired, fired.logical_or(batchFired));
                l0 += acts.gt(0).sum().to(ScalarType.Float64).item<double>();
                count += x.shape[0];

                long n = batch.shape[0] * (batch.shape[1] - 1);
                ceClean += CrossEntropy(cleanLogits, batch) * n;
                using (model.WithSae(sae)) ceSae += CrossEntropy(model.Forward(batch), batch) * n;
                using (model.Hooks((sae.Config.OutputHookName, (act, _) => zeros_like(act))))
                    ceZero += CrossEntropy(model.Forward(batch), batch) * n;
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

    internal static double CrossEntropy(Tensor logits, Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var predicted = logits.narrow(1, 0, logits.shape[1] - 1).reshape(-1, logits.shape[^1]).to(ScalarType.Float32);
        var targets = tokens.narrow(1, 1, tokens.shape[1] - 1).reshape(-1);
        return nn.functional.cross_entropy(predicted, targets).item<float>();
    }
}
