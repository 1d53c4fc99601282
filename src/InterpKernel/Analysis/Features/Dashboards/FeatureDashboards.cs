using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Dashboards of MLP neurons and SAE features: one <see cref="ActivationScan"/> over a text (so the top examples are
/// exactly the scan's) and the tokens the feature's output promotes and suppresses through the unembedding.
/// </summary>
/// <example>
/// <code>
/// display(FeatureDashboards.ForNeuron(model, layer: 1, neuron: 17, File.ReadLines("../data/text/genesis.txt").Take(200)));
/// display(FeatureDashboards.ForSaeFeature(model, sae, feature: 5, File.ReadLines("../data/text/fortunes.txt").Take(200)));
/// </code>
/// </example>
public static class FeatureDashboards
{
    /// <summary>The dashboard of neuron <paramref name="neuron"/> of layer <paramref name="layer"/>'s MLP over a token source.</summary>
    /// <param name="model">The model.</param>
    /// <param name="layer">The neuron's layer.</param>
    /// <param name="neuron">The neuron's index in the MLP (<c>blocks.{layer}.mlp.hook_post[:, :, neuron]</c>).</param>
    /// <param name="source">The tokens to read it on, such as <see cref="TokenSource.FromTextFile"/>.</param>
    /// <param name="topExamples">How many contexts to show.</param>
    /// <param name="window">Tokens of context each side of a context's peak.</param>
    /// <param name="topTokens">How many promoted and suppressed tokens to list.</param>
    /// <param name="maxTokens">Tokens read at most, to bound time on large sources.</param>
    public static FeatureDashboard ForNeuron(HookedTransformer model, int layer, int neuron, TokenSource source,
        int topExamples = 8, int window = 10, int topTokens = 10, long maxTokens = 50_000)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        CheckCounts(topExamples, window, topTokens, maxTokens);
        ScoredToken[] promoted, suppressed;
        using (var effect = NeuronLogits.DirectEffect(model, layer, neuron)) // validates layer and neuron
            (promoted, suppressed) = Extremes(model, effect, topTokens);
        var scan = ActivationScan.Run(model, ActivationSite.Neuron(layer, neuron), source, Options(topExamples, window, maxTokens));
        return new FeatureDashboard($"L{layer} neuron {neuron} ({source.Description})", scan, promoted, suppressed);
    }

    /// <summary>The dashboard of an MLP neuron over lines of text, each read as its own prompt.</summary>
    /// <param name="model">The model.</param>
    /// <param name="layer">The neuron's layer.</param>
    /// <param name="neuron">The neuron's index in the MLP.</param>
    /// <param name="lines">The texts, such as <c>File.ReadLines(path).Take(200)</c>.</param>
    /// <param name="topExamples">How many contexts to show.</param>
    /// <param name="window">Tokens of context each side of a context's peak.</param>
    /// <param name="topTokens">How many promoted and suppressed tokens to list.</param>
    /// <param name="maxTokens">Tokens read at most, to bound time on large sources.</param>
    public static FeatureDashboard ForNeuron(HookedTransformer model, int layer, int neuron, IEnumerable<string> lines,
        int topExamples = 8, int window = 10, int topTokens = 10, long maxTokens = 50_000) =>
        ForNeuron(model, layer, neuron, Lines(model, lines), topExamples, window, topTokens, maxTokens);

    /// <summary>
    /// The dashboard of feature <paramref name="feature"/> of <paramref name="sae"/>: the SAE encodes the model's
    /// activation at its hook (the SAE is not spliced in). Promoted and suppressed tokens come from the feature's
    /// decoder row through the unembedding for residual-stream SAEs, through <c>W_out</c> first for SAEs on
    /// <c>mlp.hook_post</c>, and are left empty for other hooks.
    /// </summary>
    /// <param name="model">The model the SAE reads.</param>
    /// <param name="sae">The SAE.</param>
    /// <param name="feature">The feature's index, 0 to <c>d_sae − 1</c>.</param>
    /// <param name="source">The tokens to read it on.</param>
    /// <param name="topExamples">How many contexts to show.</param>
    /// <param name="window">Tokens of context each side of a context's peak.</param>
    /// <param name="topTokens">How many promoted and suppressed tokens to list.</param>
    /// <param name="maxTokens">Tokens read at most, to bound time on large sources.</param>
    public static FeatureDashboard ForSaeFeature(HookedTransformer model, SparseAutoencoder sae, int feature, TokenSource source,
        int topExamples = 8, int window = 10, int topTokens = 10, long maxTokens = 50_000)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sae);
        ArgumentNullException.ThrowIfNull(source);
        CheckCounts(topExamples, window, topTokens, maxTokens);
        if (feature < 0 || feature >= sae.Config.DSae)
        {
            throw new ArgumentOutOfRangeException(nameof(feature), feature, $"feature {feature} does not exist: the SAE has {sae.Config.DSae} features (0 to {sae.Config.DSae - 1}).");
        }
        var hook = sae.Config.HookName;
        ScoredToken[] promoted = [], suppressed = [];
        using (var scope = NewDisposeScope())
        {
            if (OutputDirection(model, sae, feature) is { } direction)
            {
                (promoted, suppressed) = Extremes(model, direction.matmul(model.W_U.to(ScalarType.Float32, direction.device)), topTokens);
            }
        }
        var site = ActivationSite.Computed(hook, act => sae.Encode(act).select(-1, feature), $"SAE feature {feature}");
        var scan = ActivationScan.Run(model, site, source, Options(topExamples, window, maxTokens));
        return new FeatureDashboard($"SAE feature {feature} at {hook} ({source.Description})", scan, promoted, suppressed);
    }

    /// <summary>The dashboard of an SAE feature over lines of text, each read as its own prompt.</summary>
    /// <param name="model">The model the SAE reads.</param>
    /// <param name="sae">The SAE.</param>
    /// <param name="feature">The feature's index, 0 to <c>d_sae − 1</c>.</param>
    /// <param name="lines">The texts, such as <c>File.ReadLines(path).Take(200)</c>.</param>
    /// <param name="topExamples">How many contexts to show.</param>
    /// <param name="window">Tokens of context each side of a context's peak.</param>
    /// <param name="topTokens">How many promoted and suppressed tokens to list.</param>
    /// <param name="maxTokens">Tokens read at most, to bound time on large sources.</param>
    public static FeatureDashboard ForSaeFeature(HookedTransformer model, SparseAutoencoder sae, int feature, IEnumerable<string> lines,
        int topExamples = 8, int window = 10, int topTokens = 10, long maxTokens = 50_000) =>
        ForSaeFeature(model, sae, feature, Lines(model, lines), topExamples, window, topTokens, maxTokens);

    static ScanOptions Options(int topExamples, int window, long maxTokens) =>
        new() { TopK = topExamples, Window = window, MaxTokens = maxTokens };

    /// <summary>What the feature writes to the residual stream <c>[d_model]</c>, or null when its hook is not one we can map there.</summary>
    static Tensor? OutputDirection(HookedTransformer model, SparseAutoencoder sae, int feature)
    {
        var row = sae.WDec[feature].detach().to(ScalarType.Float32); // [d_in]
        var hook = sae.Config.HookName;
        if (sae.Config.DIn == model.Config.DModel && !hook.Contains(".attn.", StringComparison.Ordinal) && !hook.Contains(".mlp.", StringComparison.Ordinal)) return row;
        if (hook.EndsWith(".mlp.hook_post", StringComparison.Ordinal) && HookNames.LayerOf(hook) is { } layer && sae.Config.DIn == model.Config.DMlp)
        {
            return row.matmul(model.Blocks[layer].Mlp.WOut.to(ScalarType.Float32, row.device)); // [d_model]
        }
        return null;
    }

    static (ScoredToken[] Promoted, ScoredToken[] Suppressed) Extremes(HookedTransformer model, Tensor effect, int k)
    {
        using var scope = NewDisposeScope();
        int n = (int)Math.Min(k, effect.shape[0]);
        ScoredToken[] Take(Tensor values)
        {
            var (v, i) = values.topk(n);
            var scores = v.cpu().data<float>().ToArray();
            var tokens = TokenText.Of(model, i.cpu().data<long>().Select(id => (int)id).ToArray());
            return scores.Select((s, j) => new ScoredToken(tokens[j], s)).ToArray();
        }
        var promoted = Take(effect);
        var suppressed = Take(-effect).Select(s => s with { Score = -s.Score }).ToArray();
        return (promoted, suppressed);
    }

    static TokenSource Lines(HookedTransformer model, IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var kept = lines.Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
        if (kept.Count == 0) throw new ArgumentException("every line is empty: give at least one line of text to read the feature on.", nameof(lines));
        return TokenSource.FromPrompts(model, kept);
    }

    static void CheckCounts(int topExamples, int window, int topTokens, long maxTokens)
    {
        if (topExamples < 1) throw new ArgumentException($"topExamples must be at least 1, got {topExamples}.", nameof(topExamples));
        if (window < 0) throw new ArgumentException($"window must be 0 or more, got {window}.", nameof(window));
        if (topTokens < 1) throw new ArgumentException($"topTokens must be at least 1, got {topTokens}.", nameof(topTokens));
        if (maxTokens < 1) throw new ArgumentException($"maxTokens must be at least 1, got {maxTokens}.", nameof(maxTokens));
    }
}
