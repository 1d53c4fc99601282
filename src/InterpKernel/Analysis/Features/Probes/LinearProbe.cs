using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// A linear probe on activations <c>[n, d]</c>: logistic regression (binary or multiclass) or ridge regression, fitted
/// on a seeded training split and scored on the held-out rest. Features are standardised for the fit; the weights it
/// exposes act on the raw activations, so <see cref="Direction"/> is a direction in activation space.
/// </summary>
/// <example>
/// <code>
/// using var data = ActivationCollector.Collect(model, "blocks.1.hook_resid_post", prompts, labels);
/// using var probe = LinearProbe.Train(data, ProbeTask.Binary);
/// Console.WriteLine($"{probe.Metrics.TestAccuracy:P1}, AUC {probe.Metrics.TestAuc:F3}");
/// </code>
/// </example>
public sealed partial class LinearProbe : IDisposable
{
    readonly Tensor _weight; // [outputs, d], acting on raw activations
    readonly Tensor _bias;   // [outputs]

    LinearProbe(ProbeTask task, Tensor weight, Tensor bias, ProbeMetrics metrics)
    {
        Task = task;
        _weight = weight;
        _bias = bias;
        Metrics = metrics;
    }

    /// <summary>What the probe predicts.</summary>
    public ProbeTask Task { get; }

    /// <summary>Held-out (and training) scores.</summary>
    public ProbeMetrics Metrics { get; }

    /// <summary>Weights on raw activations, <c>[outputs, d]</c> (one output for binary and regression probes).</summary>
    public Tensor Weight => _weight;

    /// <summary>Biases, <c>[outputs]</c>.</summary>
    public Tensor Bias => _bias;

    /// <summary>
    /// The unit-norm probe direction <c>[d]</c> of a binary or regression probe: the direction in which the
    /// positive class (or the target) grows. For multiclass probes use <see cref="DirectionOf(int)"/>.
    /// </summary>
    public Tensor Direction => Task == ProbeTask.Multiclass
        ? throw new InvalidOperationException("A multiclass probe has one direction per class: call DirectionOf(classIndex).")
        : DirectionOf(0);

    /// <summary>The unit-norm weight direction of one output (a class of a multiclass probe).</summary>
    public Tensor DirectionOf(int output)
    {
        if (output < 0 || output >= _weight.shape[0])
            throw new ArgumentOutOfRangeException(nameof(output), output, $"The probe has {_weight.shape[0]} outputs (0 to {_weight.shape[0] - 1}).");
        using var scope = NewDisposeScope();
        var w = _weight[output];
        return (w / w.norm().clamp_min(1e-12)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Predictions for activations <c>[n, d]</c>: the probability of class 1 <c>[n]</c> (binary), class probabilities
    /// <c>[n, C]</c> (multiclass), or the predicted value <c>[n]</c> (regression).
    /// </summary>
    public Tensor Predict(Tensor activations)
    {
        ArgumentNullException.ThrowIfNull(activations);
        if (activations.dim() != 2 || activations.shape[1] != _weight.shape[1])
            throw new ArgumentException(
                $"activations must be [n, {_weight.shape[1]}], but have shape [{string.Join(", ", activations.shape)}].", nameof(activations));
        using var scope = NewDisposeScope();
        var x = activations.to(ScalarType.Float32, _weight.device);
        var raw = x.matmul(_weight.t()) + _bias; // [n, outputs]
        var result = Task switch
        {
            ProbeTask.Binary => raw.squeeze(1).sigmoid(),
            ProbeTask.Multiclass => raw.softmax(1),
            _ => raw.squeeze(1),
        };
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Trains on the first collected hook of <paramref name="data"/> (or <paramref name="hookName"/>) with its labels.</summary>
    public static LinearProbe Train(LabelledActivations data, ProbeTask task, ProbeOptions? options = null, string? hookName = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Train(hookName is null ? data.Activations : data[hookName], data.Labels, task, options);
    }

    /// <summary>Trains a probe on activations <c>[n, d]</c> and labels <c>[n]</c>, holding out <see cref="ProbeOptions.TestFraction"/> of the rows.</summary>
    public static LinearProbe Train(Tensor activations, Tensor labels, ProbeTask task, ProbeOptions? options = null)
    {
        var opts = (options ?? new ProbeOptions()).Validate();
        ProbeMath.CheckData(activations, labels, task);
        var (train, test) = ProbeMath.Split((int)activations.shape[0], opts.TestFraction, opts.Seed);
        return Train(activations, labels, task, opts, train, test);
    }

    internal static LinearProbe Train(Tensor activations, Tensor labels, ProbeTask task, ProbeOptions opts, long[] train, long[] test)
    {
        using var scope = NewDisposeScope();
        var device = activations.device;
        var x = activations.detach().to(ScalarType.Float32);
        var y = labels.detach().to(ScalarType.Float32, device);
        var trainIdx = tensor(train, ScalarType.Int64, device);
        var xTrain = x.index_select(0, trainIdx);
        var yTrain = y.index_select(0, trainIdx);
        var mean = xTrain.mean([0]);
        var std = xTrain.std(0, unbiased: false).clamp_min(1e-6);
        var z = (xTrain - mean) / std; // [n_train, d] standardised

        Tensor wStd, bStd; // [d, outputs], [outputs] on standardised features
        int epochs = 0;
        if (task == ProbeTask.Regression)
            (wStd, bStd) = FitRidge(z, yTrain, opts.WeightDecay);
        else
        {
            int outputs = task == ProbeTask.Binary ? 1 : (int)y.max().item<float>() + 1;
            (wStd, bStd, epochs) = FitLogistic(z, yTrain, outputs, opts);
        }
        var weight = (wStd / std.unsqueeze(1)).t().contiguous();          // [outputs, d]
        var bias = bStd - (mean / std).unsqueeze(0).matmul(wStd).squeeze(0); // [outputs]

        var probe = new LinearProbe(task, weight.DetachFromDisposeScope(), bias.DetachFromDisposeScope(), new ProbeMetrics(0, 0, 0, 0, 0, 0, 0, 0));
        var metrics = Score(probe, x, y, train, test, epochs);
        return new LinearProbe(task, probe._weight, probe._bias, metrics);
    }

    static (Tensor W, Tensor B) FitRidge(Tensor z, Tensor y, double lambda)
    {
        var z64 = z.to(ScalarType.Float64);
        var yMean = y.mean();
        var yc = (y - yMean).to(ScalarType.Float64).unsqueeze(1);
        long n = z.shape[0], d = z.shape[1];
        var gram = z64.t().matmul(z64) + eye(d, d, ScalarType.Float64, z.device) * (lambda * n + 1e-9);
        var w = linalg.solve(gram, z64.t().matmul(yc)).to(ScalarType.Float32); // [d, 1]
        return (w, yMean.reshape(1));
    }

    static (Tensor W, Tensor B, int Epochs) FitLogistic(Tensor z, Tensor y, int outputs, ProbeOptions opts)
    {
        long n = z.shape[0], d = z.shape[1];
        int nVal = opts.ValidationFraction > 0 ? (int)Math.Floor(n * opts.ValidationFraction) : 0;
        if (n - nVal < 2) nVal = 0;
        // The training indices are already shuffled, so the tail is a random validation set.
        var zFit = z.narrow(0, 0, n - nVal);
        var yFit = y.narrow(0, 0, n - nVal);
        var zVal = nVal > 0 ? z.narrow(0, n - nVal, nVal) : zFit;
        var yVal = nVal > 0 ? y.narrow(0, n - nVal, nVal) : yFit;

        var w = new Parameter(zeros(d, outputs, ScalarType.Float32, z.device));
        var b = new Parameter(zeros(outputs, ScalarType.Float32, z.device));
        using var optimizer = optim.Adam([w, b], opts.LearningRate);
        Tensor bestW = w.detach().clone(), bestB = b.detach().clone();
        double bestLoss = double.PositiveInfinity;
        int sinceBest = 0, epoch = 0;
        using (enable_grad())
        {
            for (epoch = 1; epoch <= opts.MaxEpochs; epoch++)
            {
                using var step = NewDisposeScope();
                optimizer.zero_grad();
                var loss = Loss(zFit, yFit, w, b, outputs) + w.pow(2).sum() * opts.WeightDecay;
                loss.backward();
                optimizer.step();
                double val;
                using (no_grad()) val = Loss(zVal, yVal, w, b, outputs).item<float>();
                if (val < bestLoss - 1e-6)
                {
                    bestLoss = val;
                    sinceBest = 0;
                    bestW = w.detach().clone().MoveToOuterDisposeScope();
                    bestB = b.detach().clone().MoveToOuterDisposeScope();
                }
                else if (++sinceBest >= opts.Patience) break;
            }
        }
        return (bestW, bestB, Math.Min(epoch, opts.MaxEpochs));
    }

    static Tensor Loss(Tensor z, Tensor y, Tensor w, Tensor b, int outputs)
    {
        var logits = z.matmul(w) + b; // [n, outputs]
        return outputs == 1
            ? nn.functional.binary_cross_entropy_with_logits(logits.squeeze(1), y)
            : nn.functional.cross_entropy(logits, y.to(ScalarType.Int64));
    }

    static ProbeMetrics Score(LinearProbe probe, Tensor x, Tensor y, long[] train, long[] test, int epochs)
    {
        (double Acc, double Auc, double R2) On(long[] rows)
        {
            using var scope = NewDisposeScope();
            var idx = tensor(rows, ScalarType.Int64, x.device);
            var labels = ProbeMath.ToArray(y.index_select(0, idx));
            var predicted = probe.Predict(x.index_select(0, idx));
            switch (probe.Task)
            {
                case ProbeTask.Binary:
                    var p = ProbeMath.ToArray(predicted);
                    return (ProbeMath.Accuracy(p.Select(v => v >= 0.5f ? 1f : 0f).ToArray(), labels), ProbeMath.Auc(p, labels), double.NaN);
                case ProbeTask.Multiclass:
                    return (ProbeMath.Accuracy(ProbeMath.ToArray(predicted.argmax(1)), labels), double.NaN, double.NaN);
                default:
                    return (double.NaN, double.NaN, ProbeMath.R2(ProbeMath.ToArray(predicted), labels));
            }
        }
        var tr = On(train);
        var te = On(test);
        return new ProbeMetrics(train.Length, test.Length, tr.Acc, te.Acc, te.Auc, tr.R2, te.R2, epochs);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _weight.Dispose();
        _bias.Dispose();
    }
}
