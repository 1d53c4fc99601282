using Microsoft.Data.Analysis;

namespace InterpKernel.Analysis;

/// <summary>
/// One probe per hook (typically every layer's residual stream) trained in one call, with a layer × metric table.
/// Owns its probes: dispose it.
/// </summary>
/// <example>
/// <code>
/// using var sweep = ProbeSweep.EveryLayer(model, "resid_post", prompts, labels, ProbeTask.Binary);
/// display(sweep.Table);
/// </code>
/// </example>
public sealed class ProbeSweep : IDisposable
{
    readonly Dictionary<string, LinearProbe> _probes;

    ProbeSweep(IReadOnlyList<string> hookNames, Dictionary<string, LinearProbe> probes)
    {
        HookNames = hookNames;
        _probes = probes;
        Table = BuildTable();
    }

    /// <summary>The probed hooks, in order.</summary>
    public IReadOnlyList<string> HookNames { get; }

    /// <summary>The probe trained on each hook.</summary>
    public IReadOnlyDictionary<string, LinearProbe> Probes => _probes;

    /// <summary>
    /// One row per hook: hook, layer (−1 for hooks outside blocks), train_rows, test_rows, train_accuracy,
    /// test_accuracy, test_auc, test_r2.
    /// </summary>
    public DataFrame Table { get; }

    /// <summary>Trains one probe per collected hook of <paramref name="data"/>, all on the same split.</summary>
    public static ProbeSweep Run(LabelledActivations data, ProbeTask task, ProbeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var probes = new Dictionary<string, LinearProbe>(StringComparer.Ordinal);
        try
        {
            foreach (var hook in data.HookNames) probes[hook] = LinearProbe.Train(data[hook], data.Labels, task, options);
        }
        catch
        {
            foreach (var p in probes.Values) p.Dispose();
            throw;
        }
        return new ProbeSweep(data.HookNames, probes);
    }

    /// <summary>
    /// Collects <paramref name="activation"/> (a short name such as <c>resid_post</c>) at every layer for labelled
    /// prompts and trains one probe per layer.
    /// </summary>
    public static ProbeSweep EveryLayer(HookedTransformer model, string activation, IReadOnlyList<string> prompts, IReadOnlyList<float> labels,
        ProbeTask task, TokenPositions? positions = null, ProbeOptions? options = null, CollectionOptions? collection = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var hooks = Enumerable.Range(0, model.Config.NLayers).Select(l => InterpKernel.HookNames.Of(activation, l)).ToArray();
        using var data = ActivationCollector.Collect(model, hooks, prompts, labels, positions, collection);
        return Run(data, task, options);
    }

    DataFrame BuildTable()
    {
        var metrics = HookNames.Select(h => _probes[h].Metrics).ToList();
        return new DataFrame(
            new StringDataFrameColumn("hook", HookNames),
            new Int32DataFrameColumn("layer", HookNames.Select(h => InterpKernel.HookNames.LayerOf(h) ?? -1)),
            new Int32DataFrameColumn("train_rows", metrics.Select(m => m.TrainRows)),
            new Int32DataFrameColumn("test_rows", metrics.Select(m => m.TestRows)),
            new DoubleDataFrameColumn("train_accuracy", metrics.Select(m => m.TrainAccuracy)),
            new DoubleDataFrameColumn("test_accuracy", metrics.Select(m => m.TestAccuracy)),
            new DoubleDataFrameColumn("test_auc", metrics.Select(m => m.TestAuc)),
            new DoubleDataFrameColumn("test_r2", metrics.Select(m => m.TestR2)));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var p in _probes.Values) p.Dispose();
        _probes.Clear();
    }
}
