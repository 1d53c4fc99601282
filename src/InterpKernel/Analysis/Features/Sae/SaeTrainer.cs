using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Trains an SAE on one hook of a model from text streamed line by line, or on activations streamed from an
/// <see cref="InterpKernel.Sweeps.ActivationStore"/> or any sequence of batches: top-k, or ReLU with an L1 penalty. Inputs are
/// scaled by one constant (so their mean squared norm is d_in) while training, and the scale is folded back into the
/// weights at the end, so the saved SAE reads raw activations. Decoder rows are kept at unit norm. With
/// <see cref="SaeTrainingOptions.HookNameOut"/> it trains a transcoder, which predicts that hook from the input hook
/// (optionally with a skip term); the target is scaled by a constant of its own.
/// </summary>
/// <example>
/// <code>
/// var (sae, report) = SaeTrainer.Train(model, "blocks.1.hook_resid_pre", "data/text/genesis.txt",
///     new SaeTrainingOptions { Steps = 300, K = 16 }, new Progress&lt;SaeTrainingProgress&gt;(p => Console.WriteLine(p)));
/// Console.WriteLine(report);
/// </code>
/// </example>
public static partial class SaeTrainer
{
    /// <summary>Trains on the lines of <paramref name="textFile"/>, read lazily and re-read from the start if the budget outlasts it.</summary>
    public static (SparseAutoencoder Sae, SaeTrainingReport Report) Train(HookedTransformer model, string hookName, string textFile,
        SaeTrainingOptions? options = null, IProgress<SaeTrainingProgress>? progress = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(textFile);
        if (!File.Exists(textFile)) throw new FileNotFoundException($"No text file at '{Path.GetFullPath(textFile)}' to train the SAE on.", textFile);
        return Train(model, hookName, () => File.ReadLines(textFile), options, progress);
    }

    /// <summary>Trains on the lines <paramref name="lines"/> yields each time it is called (once per pass over the text).</summary>
    public static (SparseAutoencoder Sae, SaeTrainingReport Report) Train(HookedTransformer model, string hookName, Func<IEnumerable<string>> lines,
        SaeTrainingOptions? options = null, IProgress<SaeTrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(lines);
        var opts = (options ?? new SaeTrainingOptions()).Validate();
        var tokenizer = TextContexts.RequireTokenizer(model).Tokenizer!;
        var hooks = Hooks(model, hookName, opts);
        var clock = Stopwatch.StartNew();

        IEnumerable<int[]> Contexts()
        {
            for (int pass = 0; ; pass++)
            {
                int yielded = 0;
                foreach (var c in TextContexts.FromLines(tokenizer, lines(), opts.ContextLength))
                {
                    yielded++;
                    yield return c;
                }
                if (yielded <= opts.EvaluationContexts)
                    throw new ArgumentException($"The text gives only {yielded} contexts of {opts.ContextLength} tokens; give more text than the {opts.EvaluationContexts} held out for evaluation.", nameof(lines));
            }
        }
        using var stream = Contexts().GetEnumerator();
        var held = new List<int[]>();
        while (held.Count < opts.EvaluationContexts && stream.MoveNext()) held.Add(stream.Current);

        bool skipBos = tokenizer.BosTokenId is not null;
        Tensor NextBuffer()
        {
            var contexts = new List<int[]>();
            while (contexts.Count < opts.BufferContexts && stream.MoveNext()) contexts.Add(stream.Current);
            return Activations(model, hooks, contexts, opts.ContextLength, skipBos); // [n, d_in (+ d_out)] float32
        }

        Tensor? first = null;
        IEnumerator<Tensor>? batches = null;
        SparseAutoencoder? sae = null;
        try
        {
            first = NextBuffer();
            batches = BufferBatches(first, NextBuffer, opts).GetEnumerator();
            var (trained, steps, tokens) = Fit(batches, first, Layout(model, hooks, opts), model.Device, opts, progress, clock);
            sae = trained;
            var elapsed = clock.Elapsed;
            using var heldTokens = tensor(held.SelectMany(c => c.Select(t => (long)t)).ToArray(), [held.Count, opts.ContextLength], ScalarType.Int64);
            var evaluation = SaeEvaluator.Evaluate(model, sae, heldTokens);
            var result = (sae, new SaeTrainingReport(steps, tokens, elapsed, evaluation));
            sae = null;
            return result;
        }
        finally
        {
            batches?.Dispose();
            first?.Dispose(); // a no-op when the batch enumerator has already disposed it
            sae?.Dispose();
        }
    }

    /// <summary>
    /// Batches of <see cref="SaeTrainingOptions.BatchTokens"/> rows drawn in a seeded random order from one buffer of
    /// activations after another, starting with <paramref name="first"/>; each buffer is disposed once used up.
    /// </summary>
    static IEnumerable<Tensor> BufferBatches(Tensor first, Func<Tensor> nextBuffer, SaeTrainingOptions opts)
    {
        var buffer = first;
        var rng = new Generator((ulong)opts.Seed + 1);
        Tensor? order = null;
        try
        {
            order = randperm(buffer.shape[0], generator: rng);
            long offset = 0;
            while (true)
            {
                if (offset + opts.BatchTokens > buffer.shape[0])
                {
                    buffer.Dispose();
                    order.Dispose();
                    buffer = nextBuffer();
                    order = randperm(buffer.shape[0], generator: rng);
                    offset = 0;
                }
                long take = Math.Min(opts.BatchTokens, buffer.shape[0]);
                var batch = buffer.index_select(0, order.narrow(0, offset, take));
                offset += take;
                yield return batch;
            }
        }
        finally
        {
            buffer.Dispose();
            order?.Dispose();
        }
    }

    /// <summary>
    /// The training loop every entry point shares: the input scales and decoder bias come from <paramref name="init"/>
    /// (rows of activations: <c>[rows, d_in]</c>, or <c>[rows, d_in + d_out]</c> for a transcoder, its input then its
    /// target), then each step takes the next batch of <paramref name="batches"/> (and disposes it) until the step
    /// budget is spent or the batches run out. MoveNext is called outside any dispose scope of the loop.
    /// </summary>
    static (SparseAutoencoder Sae, int Steps, long Tokens) Fit(IEnumerator<Tensor> batches, Tensor init, SaeConfig layout,
        Device device, SaeTrainingOptions opts, IProgress<SaeTrainingProgress>? progress, Stopwatch clock)
    {
        long dIn = layout.DIn, dOut = layout.OutputWidth;
        bool transcoder = layout.IsTranscoder;
        if (init.shape[1] != (transcoder ? dIn + dOut : dIn))
            throw new InvalidOperationException($"Training rows are [{string.Join(", ", init.shape)}], not as wide as the config's input and target.");
        float inScale, outScale;
        using (no_grad())
        {
            inScale = RmsScale(init.narrow(1, 0, dIn));
            outScale = transcoder ? RmsScale(init.narrow(1, dIn, dOut)) : inScale;
        }
        var sae = SparseAutoencoder.Create(layout, opts.Seed, device);
        try
        {
            using (no_grad()) sae.BDec.copy_(init.narrow(1, transcoder ? dIn : 0, dOut).mean([0]).to(sae.BDec.device) / outScale);

            var parameters = new[] { sae.WEnc, sae.BEnc, sae.WDec, sae.BDec, sae.WSkip }.OfType<TorchSharp.Modules.Parameter>().ToArray();
            using var optimizer = optim.Adam(parameters, opts.LearningRate);
            long tokens = 0;
            int step = 0;
            while (step < opts.Steps && batches.MoveNext())
            {
                step++;
                using var batch = batches.Current;
                using var scope = NewDisposeScope();
                var rows = batch.to(ScalarType.Float32, sae.WEnc.device);
                var x = rows.narrow(1, 0, dIn) / inScale;
                var y = transcoder ? rows.narrow(1, dIn, dOut) / outScale : x; // what the output should be
                tokens += x.shape[0];
                double loss, ev, l0;
                using (enable_grad())
                {
                    optimizer.zero_grad();
                    var acts = sae.Activate(sae.PreActivation(x));
                    var err = (sae.Output(acts, x) - y).pow(2).sum(1).mean();
                    var total = err;
                    if (opts.Architecture == SaeArchitecture.Standard)
                        total = total + acts.mul(sae.WDec.norm(1)).sum(1).mean() * opts.L1Coefficient;
                    total.backward();
                    optimizer.step();
                    loss = total.item<float>();
                    using (no_grad())
                    {
                        ev = 1 - err.item<float>() / (y - y.mean([0])).pow(2).sum(1).mean().item<float>();
                        l0 = acts.gt(0).sum(1).to(ScalarType.Float32).mean().item<float>();
                    }
                }
                using (no_grad()) sae.WDec.div_(sae.WDec.norm(1, keepdim: true).clamp_min(1e-8));
                if (progress is not null && (step % opts.ProgressEvery == 0 || step == opts.Steps))
                    progress.Report(new SaeTrainingProgress(step, opts.Steps, tokens, loss, ev, l0, clock.Elapsed));
            }

            // Fold the scales into the weights so the SAE reads and writes raw activations.
            using (no_grad())
            {
                sae.WEnc.div_(inScale);
                sae.WDec.mul_(outScale);
                sae.BDec.mul_(outScale);
                sae.WSkip?.mul_(outScale / inScale);
                foreach (var p in parameters) p.requires_grad = false;
            }
            var result = (sae, step, tokens);
            sae = null;
            return result;
        }
        finally
        {
            sae?.Dispose();
        }
    }

    /// <summary>The constant that scales rows <c>[n, d]</c> to a mean squared norm of d.</summary>
    static float RmsScale(Tensor rows) => (float)Math.Sqrt(rows.pow(2).sum(1).mean().item<float>() / rows.shape[1]);

    /// <summary>The hooks training reads: the input, and for a transcoder its target; both checked against the model.</summary>
    static string[] Hooks(HookedTransformer model, string hookName, SaeTrainingOptions opts)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hookName);
        model.GetHookPoint(hookName);
        if (opts.HookNameOut is not { } output) return [hookName];
        model.GetHookPoint(output);
        if (output == hookName)
            throw new ArgumentException($"HookNameOut is the input hook '{hookName}': leave it null to train an SAE, or name the hook the transcoder predicts.", nameof(opts.HookNameOut));
        return [hookName, output];
    }

    /// <summary>The config of the SAE (or transcoder) to train, its widths read from one forward of the model.</summary>
    static SaeConfig Layout(HookedTransformer model, string[] hooks, SaeTrainingOptions opts)
    {
        using var scope = NewDisposeScope();
        var probe = tensor(new long[] { model.Tokenizer?.BosTokenId ?? 0, 0 }, [1, 2], ScalarType.Int64);
        var acts = ActivationCapture.Run(model, probe, hooks, (_, act) => act);
        var widths = acts.Select(a => (int)a.shape[^1]).ToArray();
        foreach (var a in acts) a.Dispose();
        string? modelName = model.SourceFolder is { } f ? Path.GetFileName(f) : null;
        return Layout(hooks[0], widths[0], hooks.Length > 1 ? widths[1] : null, modelName, opts);
    }

    static SaeConfig Layout(string hookName, int dIn, int? dOut, string? modelName, SaeTrainingOptions opts) =>
        new SaeConfig(opts.Architecture, dIn, opts.DSae ?? dIn * 8, hookName)
        {
            K = opts.Architecture == SaeArchitecture.TopK ? opts.K : null,
            ModelName = modelName,
            HookNameOut = opts.HookNameOut,
            DOut = opts.HookNameOut is null ? null : dOut,
            HasSkip = opts.HasSkip,
            ApplyBDecToInput = opts.HookNameOut is null,
        }.Validate();

    /// <summary>The activations of <paramref name="hooks"/> side by side, <c>[n, d_in (+ d_out)]</c>, BOS positions left out.</summary>
    static Tensor Activations(HookedTransformer model, string[] hooks, List<int[]> contexts, int length, bool skipBos)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var tokens = tensor(contexts.SelectMany(c => c.Select(t => (long)t)).ToArray(), [contexts.Count, length], ScalarType.Int64);
        var acts = ActivationCapture.Run(model, tokens, hooks, (_, act) => skipBos ? act.narrow(1, 1, length - 1) : act);
        try
        {
            var x = acts.Length == 1 ? acts[0] : cat(acts, 2);
            return x.reshape(-1, x.shape[^1]).contiguous().MoveToOuterDisposeScope();
        }
        finally
        {
            foreach (var a in acts) a.Dispose();
        }
    }
}
