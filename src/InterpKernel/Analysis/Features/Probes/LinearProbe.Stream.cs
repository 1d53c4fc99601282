using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

public sealed partial class LinearProbe
{
    /// <summary>
    /// Fits a logistic probe (binary, or multiclass with <paramref name="classes"/> classes) by mini-batch Adam over a
    /// stream of <c>(activations [n, d], labels [n])</c> batches, read lazily and in one pass, so the rows need not fit
    /// in memory. Every k-th batch (k = round(1 / <see cref="ProbeOptions.TestFraction"/>), at least 2) is held out and
    /// scored with the weights as they are when it arrives (progressive validation, so the test accuracy is a
    /// pessimistic estimate of the final probe's); every other batch is scored the same way and then trained on, one
    /// step each. Features are standardised with the mean and spread of the first training batch. Batches are not
    /// disposed here. <see cref="ProbeMetrics.Epochs"/> counts the optimisation steps; AUC keeps one float per held-out row.
    /// </summary>
    /// <remarks>
    /// The activation store keeps no labels. Pair rows with labels by reading the store in stored order
    /// (<c>store.Batches(hook, n, seed: null)</c>) and computing labels from <c>store.TokenBatches(n)</c>, which
    /// yields the token ids of the same rows in the same order, or from any other per-row source in that order.
    /// </remarks>
    public static LinearProbe Train(IEnumerable<(Tensor Activations, Tensor Labels)> batches, ProbeTask task, ProbeOptions? options = null, int classes = 2)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var opts = (options ?? new ProbeOptions()).Validate();
        if (task == ProbeTask.Regression)
            throw new ArgumentException("A streamed probe is logistic (Binary or Multiclass); for regression, load the rows and call Train(activations, labels, ProbeTask.Regression).", nameof(task));
        if (task == ProbeTask.Binary) classes = 2;
        if (classes < 2) throw new ArgumentException($"classes must be at least 2, but is {classes}.", nameof(classes));
        int outputs = task == ProbeTask.Binary ? 1 : classes;
        int every = Math.Max(2, (int)Math.Round(1 / opts.TestFraction));

        Parameter? w = null, b = null;
        Tensor? mean = null, std = null;
        optim.Optimizer? optimizer = null;
        long trainRows = 0, testRows = 0, trainRight = 0, testRight = 0;
        int steps = 0, index = -1;
        var testScores = new List<float>();
        var testLabels = new List<float>();
        try
        {
            foreach (var (activations, labels) in batches)
            {
                index++;
                bool test = index % every == every - 1;
                if (mean is null && !test)
                {
                    using (NewDisposeScope())
                    {
                        var (x0, _) = CheckBatch(activations, labels, classes, null);
                        mean = x0.mean([0]).DetachFromDisposeScope();
                        std = x0.std(0, unbiased: false).clamp_min(1e-6).DetachFromDisposeScope();
                    }
                    // Created outside the per-batch scope so that they outlive it.
                    w = new Parameter(zeros(mean.shape[0], outputs, ScalarType.Float32, mean.device));
                    b = new Parameter(zeros(outputs, ScalarType.Float32, mean.device));
                    optimizer = optim.Adam([w, b], opts.LearningRate);
                }
                if (mean is null) continue; // a held-out batch before any training batch: nothing to score it with
                using var scope = NewDisposeScope();
                var (x, y) = CheckBatch(activations, labels, classes, mean.shape[0]);
                var z = (x - mean) / std!;
                using (no_grad())
                {
                    var logits = z.matmul(w!) + b!;
                    var predicted = outputs == 1 ? logits.squeeze(1).gt(0).to(ScalarType.Float32) : logits.argmax(1).to(ScalarType.Float32);
                    long right = predicted.eq(y).sum().item<long>();
                    if (test)
                    {
                        testRows += x.shape[0];
                        testRight += right;
                        if (outputs == 1)
                        {
                            testScores.AddRange(ProbeMath.ToArray(logits.squeeze(1)));
                            testLabels.AddRange(ProbeMath.ToArray(y));
                        }
                        continue;
                    }
                    trainRows += x.shape[0];
                    trainRight += right;
                }
                using (enable_grad())
                {
                    optimizer!.zero_grad();
                    var loss = Loss(z, y, w!, b!, outputs) + w!.pow(2).sum() * opts.WeightDecay;
                    loss.backward();
                    optimizer.step();
                }
                steps++;
            }
            if (w is null || b is null || mean is null || std is null)
                throw new ArgumentException("The batch stream held no training rows: give at least one batch before the first held-out one.", nameof(batches));
            if (testRows == 0)
                throw new ArgumentException($"The batch stream ended before a held-out batch (every {every}th batch is one): give more batches or raise TestFraction.", nameof(batches));
            using var fold = NewDisposeScope();
            var weight = (w.detach() / std.unsqueeze(1)).t().contiguous();                  // [outputs, d] on raw activations
            var bias = b.detach() - (mean / std).unsqueeze(0).matmul(w.detach()).squeeze(0); // [outputs]
            double auc = outputs == 1 ? ProbeMath.Auc([.. testScores], [.. testLabels]) : double.NaN;
            var metrics = new ProbeMetrics((int)trainRows, (int)testRows, (double)trainRight / trainRows, (double)testRight / testRows, auc,
                double.NaN, double.NaN, steps);
            return new LinearProbe(task, weight.DetachFromDisposeScope(), bias.DetachFromDisposeScope(), metrics);
        }
        finally
        {
            optimizer?.Dispose();
            w?.Dispose();
            b?.Dispose();
            mean?.Dispose();
            std?.Dispose();
        }
    }

    static (Tensor X, Tensor Y) CheckBatch(Tensor activations, Tensor labels, int classes, long? width)
    {
        ArgumentNullException.ThrowIfNull(activations);
        ArgumentNullException.ThrowIfNull(labels);
        if (activations.dim() != 2 || activations.shape[0] < 1 || (width is { } d && activations.shape[1] != d))
            throw new ArgumentException($"Each batch's activations must be [n, {(width is { } dd ? dd.ToString(System.Globalization.CultureInfo.InvariantCulture) : "d")}], but one is [{string.Join(", ", activations.shape)}].", nameof(activations));
        if (labels.dim() != 1 || labels.shape[0] != activations.shape[0])
            throw new ArgumentException($"Each batch's labels must be [n] with n = {activations.shape[0]}, but one is [{string.Join(", ", labels.shape)}].", nameof(labels));
        var x = activations.detach().to(ScalarType.Float32);
        var y = labels.detach().to(ScalarType.Float32, x.device);
        if (y.lt(0).any().item<bool>() || y.ge(classes).any().item<bool>() || y.ne(y.floor()).any().item<bool>())
            throw new ArgumentException($"Labels must be class indices 0 to {classes - 1}; for more classes pass classes (with ProbeTask.Multiclass).", nameof(labels));
        return (x, y);
    }
}
