using System.Diagnostics;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

public static partial class SaeTrainer
{
    /// <summary>
    /// Trains on the real tokens of a padded batch: pads are never training data, nor is a row's first token when it
    /// is BOS. The activations of every row are collected once (<see cref="SaeTrainingOptions.BufferContexts"/> rows
    /// per forward) and reshuffled with the seed on each pass until the step budget is spent. The report measures the
    /// batch itself (nothing is held out); measure other prompts with
    /// <see cref="SaeEvaluator.Evaluate(HookedTransformer, SparseAutoencoder, TokenBatch, int)"/>.
    /// <see cref="SaeTrainingOptions.ContextLength"/> and <see cref="SaeTrainingOptions.EvaluationContexts"/> do not apply.
    /// </summary>
    /// <example>
    /// <code>
    /// using var batch = model.ToTokens(File.ReadLines("data/text/genesis.txt").Take(400).ToList());
    /// var (sae, report) = SaeTrainer.Train(model, "blocks.1.hook_resid_pre", batch, new SaeTrainingOptions { Steps = 200 });
    /// </code>
    /// </example>
    public static (SparseAutoencoder Sae, SaeTrainingReport Report) Train(HookedTransformer model, string hookName, TokenBatch batch,
        SaeTrainingOptions? options = null, IProgress<SaeTrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batch);
        var opts = (options ?? new SaeTrainingOptions()).Validate();
        var hooks = Hooks(model, hookName, opts);
        var clock = Stopwatch.StartNew();
        using var rows = RealActivations(model, hooks, batch, opts.BufferContexts);
        if (rows.shape[0] < 1) throw new ArgumentException("The batch holds no real token besides BOS to train on: give longer prompts.", nameof(batch));
        var layout = Layout(model, hooks, opts);
        var first = rows.clone();
        using var batches = BufferBatches(first, () => rows.clone(), opts).GetEnumerator();
        SparseAutoencoder? sae = null;
        try
        {
            var (trained, steps, tokens) = Fit(batches, first, layout, model.Device, opts, progress, clock);
            sae = trained;
            var elapsed = clock.Elapsed;
            var result = (sae, new SaeTrainingReport(steps, tokens, elapsed, SaeEvaluator.Evaluate(model, sae, batch)));
            sae = null;
            return result;
        }
        finally
        {
            first.Dispose(); // a no-op when the batch enumerator has already disposed it
            sae?.Dispose();
        }
    }

    /// <summary>Trains on the real tokens of <paramref name="prompts"/>, each starting with BOS, padded into one batch.</summary>
    public static (SparseAutoencoder Sae, SaeTrainingReport Report) Train(HookedTransformer model, string hookName, IReadOnlyList<string> prompts,
        SaeTrainingOptions? options = null, IProgress<SaeTrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0) throw new ArgumentException("Give at least one prompt to train on.", nameof(prompts));
        using var batch = model.ToTokens(prompts);
        return Train(model, hookName, batch, options, progress);
    }

    /// <summary>
    /// The training rows of a padded batch: the activations of <paramref name="hooks"/> side by side
    /// (<c>[n, d_in (+ d_out)]</c>, float32) at the positions <see cref="SaeEvaluator"/> counts, row by row in
    /// order, <paramref name="rowsPerForward"/> rows per forward.
    /// </summary>
    internal static Tensor RealActivations(HookedTransformer model, IReadOnlyList<string> hooks, TokenBatch batch, int rowsPerForward)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var counted = SaeEvaluator.Counted(model, batch).to(model.Device);
        var parts = new List<Tensor>();
        for (int start = 0; start < batch.Count; start += rowsPerForward)
        {
            int n = Math.Min(rowsPerForward, batch.Count - start);
            var keep = counted.narrow(0, start, n);
            using var store = ActivationCapture.Capture(model, batch.Tokens.narrow(0, start, n), hooks.ToArray(),
                dtype: ScalarType.Float32, attentionMask: batch.AttentionMask.narrow(0, start, n));
            parts.Add(cat(hooks.Select(h => store[h].index([TensorIndex.Tensor(keep)])).ToArray(), 1)); // [real, d_in (+ d_out)]
        }
        return cat(parts, 0).contiguous().MoveToOuterDisposeScope();
    }
}
