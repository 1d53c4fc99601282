using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace InterpKernel.Sweeps;

/// <summary>The analyses a sweep spec can name: the built-in ones and any registered by a program before it loads a spec.</summary>
public static class SweepAnalyses
{
    static readonly ConcurrentDictionary<string, ISweepAnalysis> Known = new(StringComparer.Ordinal)
    {
        ["neuron-scan"] = new NeuronScanSweep(),
        ["patching"] = new PatchingSweep(),
        ["head-scores"] = new HeadScoresSweep(),
        ["collect-activations"] = new CollectActivationsSweep(),
    };

    /// <summary>The registered names, sorted.</summary>
    public static IReadOnlyList<string> Names => Known.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Adds (or replaces) an analysis under its <see cref="ISweepAnalysis.Name"/>.</summary>
    public static void Register(ISweepAnalysis analysis)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentException.ThrowIfNullOrWhiteSpace(analysis.Name);
        Known[analysis.Name] = analysis;
    }

    /// <summary>The analysis registered as <paramref name="name"/>.</summary>
    public static bool TryGet(string name, [NotNullWhen(true)] out ISweepAnalysis? analysis) => Known.TryGetValue(name, out analysis);

    /// <summary>The analysis registered as <paramref name="name"/>, or an error listing the known ones.</summary>
    public static ISweepAnalysis Get(string name) => TryGet(name, out var a) ? a
        : throw new ArgumentException($"unknown analysis '{name}'{SweepOptions.Suggest(name, Names)}: the analyses are {string.Join(", ", Names)}.", nameof(name));
}
