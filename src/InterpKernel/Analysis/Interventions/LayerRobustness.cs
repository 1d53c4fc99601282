using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// The layer-robustness study: delete each block, and swap each pair of adjacent blocks, without any retraining,
/// and measure how much next-token accuracy survives and how far the predictions move (KL divergence).
/// </summary>
/// <example>
/// <code>
/// foreach (var r in LayerRobustness.Sweep(model, File.ReadAllText("data/text/genesis.txt")))
///     Console.WriteLine($"{r.Edit,-10} {r.AccuracyRetained:P0} KL {r.KlDivergence:F3}");
/// </code>
/// </example>
public static class LayerRobustness
{
    /// <summary>
    /// Runs the sweep over <paramref name="text"/>, cut into up to <paramref name="maxWindows"/> windows of
    /// <paramref name="windowTokens"/> tokens (one shorter window when the text is short).
    /// </summary>
    public static IReadOnlyList<LayerEditResult> Sweep(HookedTransformer model, string text, int windowTokens = 128, int maxWindows = 8,
                                                       IProgress<PatchingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        if (windowTokens < 2 || windowTokens > model.Config.NCtx)
            throw new ArgumentOutOfRangeException(nameof(windowTokens), windowTokens, $"windowTokens must be 2 to n_ctx ({model.Config.NCtx}).");
        if (maxWindows < 1) throw new ArgumentOutOfRangeException(nameof(maxWindows), maxWindows, "maxWindows must be at least 1.");
        var tokenizer = model.Tokenizer
            ?? throw new InvalidOperationException("the model has no tokenizer: tokenize the text yourself and call Sweep(model, tokens).");
        var ids = tokenizer.Encode(text, prependBos: false);
        if (ids.Length < 2) throw new ArgumentException("the text must hold at least two tokens.", nameof(text));
        int window = Math.Min(windowTokens, ids.Length);
        int count = Math.Min(maxWindows, ids.Length / window);
        using var scope = NewDisposeScope();
        var tokens = tensor(ids.Take(count * window).Select(i => (long)i).ToArray(), ScalarType.Int64, model.Device).reshape(count, window);
        return Sweep(model, tokens, progress);
    }

    /// <summary>Runs the sweep over <paramref name="tokens"/> <c>[batch, pos]</c>: the unedited model first, then every deletion, then every adjacent swap.</summary>
    public static IReadOnlyList<LayerEditResult> Sweep(HookedTransformer model, Tensor tokens, IProgress<PatchingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokens);
        int layers = model.Config.NLayers;
        var edits = new List<(string Name, Func<IDisposable?> Open)> { ("none", () => null) };
        for (int l = 0; l < layers; l++)
        {
            int layer = l;
            edits.Add(($"skip {layer}", () => model.SkipLayers(layer)));
        }
        for (int l = 0; l + 1 < layers; l++)
        {
            int layer = l;
            edits.Add(($"swap {layer}-{layer + 1}", () => model.SwapLayers(layer, layer + 1)));
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = model.PrepareTokens(tokens, 0);
        if (input.shape[1] < 2) throw new ArgumentException("each prompt must hold at least two tokens.", nameof(tokens));
        var targets = input.narrow(1, 1, input.shape[1] - 1); // [batch, pos - 1]
        Tensor? baseLogProbs = null;
        double baseAccuracy = 0;
        var results = new List<LayerEditResult>();
        foreach (var (name, open) in edits)
        {
            using var editScope = NewDisposeScope();
            Tensor logits;
            using (open()) logits = model.Forward(input);
            var logProbs = logits.narrow(1, 0, input.shape[1] - 1).to(ScalarType.Float32).log_softmax(-1); // [batch, pos - 1, d_vocab]
            double accuracy = logProbs.argmax(-1).eq(targets).to(ScalarType.Float64).mean().item<double>();
            if (baseLogProbs is null)
            {
                baseLogProbs = logProbs.MoveToOuterDisposeScope();
                baseAccuracy = accuracy;
            }
            double kl = (baseLogProbs.exp() * (baseLogProbs - logProbs)).sum(-1).mean().to(ScalarType.Float64).item<double>();
            results.Add(new LayerEditResult(name, accuracy, baseAccuracy == 0 ? double.NaN : accuracy / baseAccuracy, Math.Max(0, kl)));
            progress?.Report(new PatchingProgress(results.Count, edits.Count));
        }
        return results;
    }
}
