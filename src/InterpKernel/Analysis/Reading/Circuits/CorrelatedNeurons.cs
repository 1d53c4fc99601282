using Microsoft.Data.Analysis;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Automated discovery of neuron groups: neurons of one MLP whose activations correlate over a prompt set. Two
/// neurons are linked when their Pearson correlation over the tokens is at least the threshold; groups are the
/// connected components of that graph with two or more members (single linkage).
/// </summary>
/// <example>
/// <code>
/// var groups = CorrelatedNeurons.Groups(model, layer: 0, TokenSource.FromTextFile(model, "data/text/genesis.txt"), threshold: 0.8, maxTokens: 5000);
/// </code>
/// </example>
public static class CorrelatedNeurons
{
    /// <summary>
    /// Groups as a table, largest first: <c>group</c>, <c>size</c>, <c>neuron</c>, <c>mean_correlation</c> (the
    /// neuron's mean correlation with the other members).
    /// </summary>
    public static DataFrame Groups(HookedTransformer model, int layer, TokenSource source, double threshold = 0.8,
                                   int batchSize = 8, long? maxTokens = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        if (layer < 0 || layer >= model.Config.NLayers)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"layer {layer} does not exist: the model has {model.Config.NLayers} layers.");
        if (threshold is <= 0 or > 1) throw new ArgumentException($"threshold must be in (0, 1], got {threshold}.", nameof(threshold));
        using var acc = new CorrelationAccumulator();
        string name = HookNames.Of("post", layer);
        long seen = 0;
        foreach (var (batch, chunks) in source.Batches(model, batchSize))
        {
            using var owned = batch;
            using var scope = NewDisposeScope();
            var rows = UniversalNeurons.RowIndex(chunks, batch.shape[1], maxTokens is { } m ? m - seen : long.MaxValue);
            if (rows.Length == 0) break;
            var index = tensor(rows, ScalarType.Int64, model.Device);
            var acts = ActivationCapture.Run(model, batch, [name], (_, a) => a.reshape(-1, a.shape[^1]).index_select(0, index));
            using var x = acts[0];
            acc.Add(x, x);
            seen += rows.Length;
            if (seen == maxTokens) break;
        }
        using var corr = acc.Correlation();
        return FromCorrelations(corr, threshold);
    }

    /// <summary>Groups from a square correlation matrix <c>[n, n]</c> (see <see cref="Groups"/>).</summary>
    public static DataFrame FromCorrelations(Tensor correlations, double threshold)
    {
        ArgumentNullException.ThrowIfNull(correlations);
        if (correlations.dim() != 2 || correlations.shape[0] != correlations.shape[1])
            throw new ArgumentException($"correlations must be square [n, n], but has shape [{string.Join(", ", correlations.shape)}].", nameof(correlations));
        int n = (int)correlations.shape[0];
        float[] r;
        using (NewDisposeScope()) r = correlations.to(ScalarType.Float32).cpu().data<float>().ToArray();
        var parent = Enumerable.Range(0, n).ToArray();
        int Find(int i) { while (parent[i] != i) i = parent[i] = parent[parent[i]]; return i; }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (r[i * n + j] >= threshold) parent[Find(i)] = Find(j);
        var groups = Enumerable.Range(0, n).GroupBy(Find).Where(g => g.Count() > 1)
            .Select(g => g.ToArray()).OrderByDescending(g => g.Length).ThenBy(g => g[0]).ToList();
        var (gid, size, neuron, meanR) = (new List<int>(), new List<int>(), new List<int>(), new List<float>());
        for (int g = 0; g < groups.Count; g++)
            foreach (int i in groups[g])
            {
                gid.Add(g); size.Add(groups[g].Length); neuron.Add(i);
                meanR.Add((float)groups[g].Where(j => j != i).Average(j => r[i * n + j]));
            }
        return new DataFrame(new PrimitiveDataFrameColumn<int>("group", gid), new PrimitiveDataFrameColumn<int>("size", size),
            new PrimitiveDataFrameColumn<int>("neuron", neuron), new PrimitiveDataFrameColumn<float>("mean_correlation", meanR));
    }
}
