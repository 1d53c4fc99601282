using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Finds inputs that drive a neuron, direction or SAE feature high, read at the last token: greedy coordinate gradient
/// (token swaps ranked by the gradient through a one-hot input, then tried in batches) or a continuous search over
/// input embeddings projected back to the nearest real tokens. Both are seeded and run for a fixed step budget.
/// </summary>
/// <example>
/// <code>
/// var target = MaximisationTarget.Neuron("blocks.1.mlp.hook_post", 42);
/// var result = ActivationMaximiser.GreedyCoordinateGradient(model, target, new MaximisationOptions { Steps = 40 },
///     referenceText: File.ReadLines("data/text/genesis.txt").Take(300));
/// Console.WriteLine(result);
/// </code>
/// </example>
public static class ActivationMaximiser
{
    /// <summary>Greedy coordinate gradient search over token sequences of <see cref="MaximisationOptions.Length"/> tokens.</summary>
    public static MaximisationResult GreedyCoordinateGradient(HookedTransformer model, MaximisationTarget target, MaximisationOptions? options = null,
        IEnumerable<string>? referenceText = null, IProgress<MaximisationProgress>? progress = null)
    {
        var (opts, allowed, bos) = Prepare(model, target, options);
        var rng = new Random(opts.Seed);
        var best = new Dictionary<string, (int[] Tokens, double Value)>();
        var current = Enumerable.Range(0, opts.Length).Select(_ => allowed[rng.Next(allowed.Length)]).ToArray();
        double currentValue = Evaluate(model, target, [current], bos)[0];
        Remember(best, current, currentValue);
        using var disallowed = DisallowedMask(model, allowed);
        for (int step = 1; step <= opts.Steps; step++)
        {
            using var scope = NewDisposeScope();
            var grad = OneHotGradient(model, target, current, bos); // [length, d_vocab]
            var ranked = grad.masked_fill(disallowed, double.NegativeInfinity).topk(Math.Min(opts.TopK, allowed.Length), dim: 1).indexes;
            var top = ranked.cpu().data<long>().ToArray();
            int k = (int)ranked.shape[1];
            var candidates = new List<int[]>(opts.Candidates);
            for (int c = 0; c < opts.Candidates; c++)
            {
                var swapped = (int[])current.Clone();
                int p = rng.Next(opts.Length);
                swapped[p] = (int)top[p * k + rng.Next(k)];
                candidates.Add(swapped);
            }
            var values = Evaluate(model, target, candidates, bos);
            int argmax = Array.IndexOf(values, values.Max());
            // GCG moves to the best swap even when it is worse, which lets it leave local optima; the best seen is kept.
            current = candidates[argmax];
            currentValue = values[argmax];
            for (int c = 0; c < candidates.Count; c++) Remember(best, candidates[c], values[c]);
            Report(model, progress, opts, step, best, bos);
        }
        return Finish(model, target, opts, allowed, bos, best, "greedy coordinate gradient", referenceText);
    }

    /// <summary>
    /// Continuous search: optimises free input embeddings with Adam, projecting them to the nearest token embeddings
    /// (by cosine) every few steps and keeping the best real token sequences found.
    /// </summary>
    public static MaximisationResult ContinuousEmbeddings(HookedTransformer model, MaximisationTarget target, MaximisationOptions? options = null,
        IEnumerable<string>? referenceText = null, IProgress<MaximisationProgress>? progress = null)
    {
        var (opts, allowed, bos) = Prepare(model, target, options);
        var rng = new Random(opts.Seed);
        var best = new Dictionary<string, (int[] Tokens, double Value)>();
        using var outer = NewDisposeScope();
        var allowedIdx = tensor(allowed.Select(a => (long)a).ToArray(), ScalarType.Int64, model.Device);
        var vocab = model.W_E.index_select(0, allowedIdx).to(ScalarType.Float32); // [n_allowed, d_model]
        var vocabUnit = vocab / vocab.norm(1, keepdim: true).clamp_min(1e-8);
        var start = Enumerable.Range(0, opts.Length).Select(_ => (long)allowed[rng.Next(allowed.Length)]).ToArray();
        var embedding = new Parameter(model.W_E.index_select(0, tensor(start, ScalarType.Int64, model.Device)).to(ScalarType.Float32).clone());
        using var optimizer = optim.Adam([embedding], opts.LearningRate);
        int projectEvery = Math.Max(1, opts.Steps / 20);
        for (int step = 1; step <= opts.Steps; step++)
        {
            using var scope = NewDisposeScope();
            using (enable_grad())
            {
                optimizer.zero_grad();
                var value = ValueWithEmbeddings(model, target, embedding, bos);
                (-value).backward();
                optimizer.step();
            }
            if (step % projectEvery == 0 || step == opts.Steps)
            {
                using var _ = no_grad();
                var unit = embedding / embedding.norm(1, keepdim: true).clamp_min(1e-8);
                var nearest = unit.matmul(vocabUnit.t()).argmax(1).cpu().data<long>().Select(i => allowed[i]).ToArray();
                Remember(best, nearest, Evaluate(model, target, [nearest], bos)[0]);
            }
            Report(model, progress, opts, step, best, bos);
        }
        return Finish(model, target, opts, allowed, bos, best, "continuous embeddings", referenceText);
    }

    /// <summary>The <paramref name="count"/> highest-activating positions of the target over the lines of a text.</summary>
    public static IReadOnlyList<TextExample> TopExamples(HookedTransformer model, MaximisationTarget target, IEnumerable<string> lines, int count = 5)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(lines);
        var tokenizer = TextContexts.RequireTokenizer(model).Tokenizer!;
        var texts = lines.Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
        if (texts.Count == 0) return [];
        var sequences = texts.Select(t => (IReadOnlyList<int>)tokenizer.Encode(t).Take(model.Config.NCtx).ToArray()).ToList();
        using var data = ActivationCollector.Collect(model, [target.HookName], sequences, (_, p) => p == 0 && tokenizer.BosTokenId is not null ? null : 0f);
        using var scope = NewDisposeScope();
        var values = ProbeMath.ToArray(target.ReadRows(data.Activations));
        return Enumerable.Range(0, values.Length).OrderByDescending(i => values[i]).Take(count).Select(i =>
        {
            var s = data.Sources[i];
            var ids = sequences[s.Prompt].Take(s.Position + 1).Where(t => t != tokenizer.BosTokenId);
            return new TextExample(s.Prompt, s.Position, s.Token, tokenizer.Decode(ids), values[i]);
        }).ToList();
    }

    static (MaximisationOptions, int[] Allowed, int? Bos) Prepare(HookedTransformer model, MaximisationTarget target, MaximisationOptions? options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(target);
        var opts = (options ?? new MaximisationOptions()).Validate();
        model.GetHookPoint(target.HookName);
        int? bos = model.Tokenizer?.BosTokenId ?? model.Config.BosTokenId;
        if (opts.Length + (bos is null ? 0 : 1) > model.Config.NCtx)
            throw new ArgumentException($"Length {opts.Length} does not fit the model's context of {model.Config.NCtx} tokens.", nameof(options));
        var special = new HashSet<int>(model.Tokenizer?.SpecialTokens.Values ?? []);
        if (bos is { } b) special.Add(b);
        if (model.Config.EosTokenId is { } e) special.Add(e);
        int vocab = Math.Min(model.Config.DVocab, model.Tokenizer?.VocabSize ?? model.Config.DVocab);
        var allowed = Enumerable.Range(0, vocab).Where(t => !special.Contains(t)).ToArray();
        return (opts, allowed, bos);
    }

    static Tensor DisallowedMask(HookedTransformer model, int[] allowed)
    {
        var mask = ones(model.Config.DVocab, ScalarType.Bool, model.Device);
        mask.index_fill_(0, tensor(allowed.Select(a => (long)a).ToArray(), ScalarType.Int64, model.Device), false);
        return mask.unsqueeze(0);
    }

    static Tensor Batch(HookedTransformer model, IReadOnlyList<int[]> sequences, int? bos)
    {
        int len = sequences[0].Length + (bos is null ? 0 : 1);
        var flat = new long[sequences.Count * len];
        for (int i = 0; i < sequences.Count; i++)
        {
            int at = i * len;
            if (bos is { } b) flat[at++] = b;
            foreach (var t in sequences[i]) flat[at++] = t;
        }
        return tensor(flat, [sequences.Count, len], ScalarType.Int64, model.Device);
    }

    /// <summary>The target at the last token of each sequence.</summary>
    static double[] Evaluate(HookedTransformer model, MaximisationTarget target, IReadOnlyList<int[]> sequences, int? bos)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var tokens = Batch(model, sequences, bos);
        using var value = ActivationCapture.Run(model, tokens, [target.HookName], (_, act) => target.Read(act).select(1, -1).cpu(), ScalarType.Float64)[0];
        return value.data<double>().ToArray();
    }

    /// <summary>∂ target / ∂ one-hot input <c>[length, d_vocab]</c> at the current tokens.</summary>
    static Tensor OneHotGradient(HookedTransformer model, MaximisationTarget target, int[] current, int? bos)
    {
        var ids = tensor(current.Select(t => (long)t).ToArray(), ScalarType.Int64, model.Device);
        var oneHot = nn.functional.one_hot(ids, model.Config.DVocab).to(model.Dtype).requires_grad_(true); // [length, d_vocab]
        using (enable_grad())
        {
            var value = ValueWithEmbeddings(model, target, oneHot.matmul(model.W_E), bos);
            value.backward();
        }
        return oneHot.grad!.to(ScalarType.Float32);
    }

    /// <summary>The target at the last position when the token embeddings are replaced by <paramref name="embeddings"/> <c>[length, d_model]</c>.</summary>
    static Tensor ValueWithEmbeddings(HookedTransformer model, MaximisationTarget target, Tensor embeddings, int? bos)
    {
        int len = (int)embeddings.shape[0] + (bos is null ? 0 : 1);
        var placeholder = zeros(1, len, ScalarType.Int64, model.Device);
        var full = embeddings.to(model.Dtype);
        if (bos is { } b) full = cat([model.W_E[b].unsqueeze(0), full], 0);
        full = full.unsqueeze(0); // [1, pos, d_model]
        Tensor? value = null;
        // What the hook makes outlives the pass (see HookFunction), so value is still there after Forward.
        using (model.Hooks(("hook_embed", (_, _) => full), (target.HookName, (act, _) => { value = target.Read(act)[0, -1]; return null; })))
            model.Forward(placeholder, null, ActivationCapture.StopLayer(model, [target.HookName])).Dispose();
        return value!.to(ScalarType.Float32);
    }

    static void Remember(Dictionary<string, (int[] Tokens, double Value)> best, int[] tokens, double value)
    {
        if (double.IsNaN(value)) return;
        best[string.Join(",", tokens)] = (tokens, value);
    }

    static void Report(HookedTransformer model, IProgress<MaximisationProgress>? progress, MaximisationOptions opts, int step,
        Dictionary<string, (int[] Tokens, double Value)> best, int? bos)
    {
        if (progress is null || (step % opts.ProgressEvery != 0 && step != opts.Steps) || best.Count == 0) return;
        var top = best.Values.MaxBy(v => v.Value);
        progress.Report(new MaximisationProgress(step, opts.Steps, top.Value, model.Tokenizer?.Decode(top.Tokens) ?? string.Join(" ", top.Tokens)));
    }

    static MaximisationResult Finish(HookedTransformer model, MaximisationTarget target, MaximisationOptions opts, int[] allowed, int? bos,
        Dictionary<string, (int[] Tokens, double Value)> best, string method, IEnumerable<string>? referenceText)
    {
        var rng = new Random(opts.Seed + 7919);
        var random = Enumerable.Range(0, 64).Select(_ => Enumerable.Range(0, opts.Length).Select(_ => allowed[rng.Next(allowed.Length)]).ToArray()).ToList();
        var randomValues = Evaluate(model, target, random, bos);
        var sequences = best.Values.OrderByDescending(v => v.Value).Take(opts.Keep).Select(v =>
        {
            var ids = (bos is { } b ? new[] { b } : []).Concat(v.Tokens).ToArray();
            var str = model.Tokenizer?.ToStrTokens(ids) ?? ids.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            return new MaximisedSequence(ids, str, model.Tokenizer?.Decode(v.Tokens) ?? string.Join(" ", v.Tokens), v.Value);
        }).ToList();
        var examples = referenceText is null ? [] : TopExamples(model, target, referenceText, opts.Keep);
        return new MaximisationResult(target.Description, method, sequences, randomValues.Average(), randomValues.Max(), examples);
    }
}
