using System.Diagnostics;
using InterpKernel.Sweeps;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

public static partial class SaeTrainer
{
    /// <summary>
    /// Trains on the rows of <paramref name="hookName"/> in an activation store (what a <c>collect-activations</c> sweep
    /// writes), streamed in batches of <see cref="SaeTrainingOptions.BatchTokens"/> rows through a shuffle buffer of
    /// <paramref name="bufferRows"/> rows, so the store is never loaded whole. Each pass over the store is shuffled with
    /// <see cref="SaeTrainingOptions.Seed"/> plus the pass number; passes repeat until the step budget is spent.
    /// The first batch is held out for the report (no model here, so its cross-entropy fields are NaN).
    /// </summary>
    public static (SparseAutoencoder Sae, SaeTrainingReport Report) Train(ActivationStore store, string hookName,
        SaeTrainingOptions? options = null, int bufferRows = 65536, IProgress<SaeTrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var opts = (options ?? new SaeTrainingOptions()).Validate();
        store.Width(hookName);
        if (store.Rows <= opts.BatchTokens)
            throw new ArgumentException($"The store holds {store.Rows} rows, no more than one batch of {opts.BatchTokens}: collect more activations or lower BatchTokens.", nameof(store));
        IEnumerable<Tensor> Passes()
        {
            for (int pass = 0; ; pass++)
                foreach (var batch in store.Batches(hookName, opts.BatchTokens, bufferRows, opts.Seed + pass))
                    yield return batch;
        }
        return Train(Passes(), hookName, opts, progress);
    }

    /// <summary>
    /// Trains on a stream of activation batches <c>[rows, d_in]</c> (for example <see cref="ActivationStore.Batches"/>),
    /// one optimisation step per batch, read lazily: at most three batches are alive at a time (the held-out one, the
    /// second, kept until training ends, and the current one). The first batch is held out for the report
    /// (reconstruction metrics only: the cross-entropy fields are NaN); the second also sets the input scale and the
    /// decoder bias. Each batch is disposed once used. Training stops when
    /// the step budget is spent or the stream ends; <see cref="SaeTrainingOptions.BatchTokens"/>,
    /// <see cref="SaeTrainingOptions.ContextLength"/> and the buffer and evaluation sizes do not apply.
    /// </summary>
    public static (SparseAutoencoder Sae, SaeTrainingReport Report) Train(IEnumerable<Tensor> batches, string hookName,
        SaeTrainingOptions? options = null, IProgress<SaeTrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentException.ThrowIfNullOrWhiteSpace(hookName);
        var opts = (options ?? new SaeTrainingOptions()).Validate();
        if (opts.HookNameOut is not null)
            throw new ArgumentException("A transcoder is trained from a model (its input and target hooks run together): use Train(model, hookName, ...) with HookNameOut.", nameof(options));
        var clock = Stopwatch.StartNew();
        using var stream = batches.GetEnumerator();
        if (!stream.MoveNext()) throw new ArgumentException("The batch stream is empty: give at least two batches (one is held out).", nameof(batches));
        using var held = Rows(stream.Current, nameof(batches));
        if (!stream.MoveNext()) throw new ArgumentException("The batch stream holds one batch only: give at least two (the first is held out).", nameof(batches));
        using var init = Rows(stream.Current, nameof(batches));
        if (init.shape[1] != held.shape[1])
            throw new ArgumentException($"Batches must all be [rows, {held.shape[1]}], but one is [{string.Join(", ", init.shape)}].", nameof(batches));
        using var prepend = new Prepend(init.clone(), stream);
        var (sae, steps, tokens) = Fit(prepend, init, Layout(hookName, (int)init.shape[1], null, null, opts), held.device, opts, progress, clock);
        try
        {
            var elapsed = clock.Elapsed;
            var report = new SaeTrainingReport(steps, tokens, elapsed, Reconstruction(sae, held));
            return (sae, report);
        }
        catch
        {
            sae.Dispose();
            throw;
        }
    }

    static Tensor Rows(Tensor batch, string paramName)
    {
        ArgumentNullException.ThrowIfNull(batch, paramName);
        if (batch.dim() != 2 || batch.shape[0] < 1)
            throw new ArgumentException($"Each batch must be [rows, d_in] with at least one row, but one is [{string.Join(", ", batch.shape)}].", paramName);
        return batch;
    }

    /// <summary>Reconstruction metrics of <paramref name="sae"/> on rows <paramref name="x"/>; cross-entropy fields NaN.</summary>
    static SaeEvaluation Reconstruction(SparseAutoencoder sae, Tensor x)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var rows = x.to(ScalarType.Float32, sae.WEnc.device);
        var acts = sae.Activate(sae.PreActivation(rows));
        var recon = acts.matmul(sae.WDec) + sae.BDec;
        double sqErr = (rows - recon).pow(2).sum().to(ScalarType.Float64).item<double>();
        double total = (rows - rows.mean([0])).pow(2).sum().to(ScalarType.Float64).item<double>();
        long n = rows.shape[0];
        double l0 = acts.gt(0).sum().to(ScalarType.Float64).item<double>() / n;
        int dead = (int)acts.gt(0).sum([0]).eq(0).sum().item<long>();
        return new SaeEvaluation(n, sqErr / (n * (double)rows.shape[1]), 1 - sqErr / total, l0, dead,
            double.NaN, double.NaN, double.NaN, double.NaN);
    }

    /// <summary>Yields <paramref name="first"/> and then the rest of <paramref name="rest"/> (which its owner disposes).</summary>
    sealed class Prepend(Tensor first, IEnumerator<Tensor> rest) : IEnumerator<Tensor>
    {
        bool _started;
        Tensor? _current;

        public Tensor Current => _current ?? throw new InvalidOperationException("MoveNext first.");

        object System.Collections.IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (!_started)
            {
                _started = true;
                _current = first;
                return true;
            }
            if (!rest.MoveNext()) return false;
            _current = rest.Current;
            return true;
        }

        public void Reset() => throw new NotSupportedException();

        public void Dispose()
        {
            if (!_started) first.Dispose();
        }
    }
}
