using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Universal neurons: streams two models over the same token batches and correlates every MLP neuron
/// (<c>blocks.{l}.mlp.hook_post</c>, all layers) of one with every neuron of the other, reporting each neuron's
/// best match. Memory is bounded by one batch plus the <c>N_A × N_B</c> cross-product accumulator.
/// </summary>
/// <example>
/// <code>
/// using var a = HookedTransformer.FromPretrained("models/kjv-gpt2-2l");
/// using var b = HookedTransformer.FromPretrained("models/kjv-gpt2-4l");
/// using var corr = UniversalNeurons.Correlate(a, b, TokenSource.FromTextFile(a, "data/text/exodus.txt"), maxTokens: 20_000);
/// var best = corr.BestMatches();
/// </code>
/// </example>
public static class UniversalNeurons
{
    /// <summary>
    /// Correlations over the tokens of <paramref name="source"/> (BOS positions and padding left out), up to
    /// <paramref name="maxTokens"/> tokens. The models must share a vocabulary.
    /// </summary>
    public static NeuronCorrelation Correlate(HookedTransformer modelA, HookedTransformer modelB, TokenSource source,
                                              int batchSize = 8, long? maxTokens = null)
    {
        ArgumentNullException.ThrowIfNull(modelA);
        ArgumentNullException.ThrowIfNull(modelB);
        ArgumentNullException.ThrowIfNull(source);
        if (modelA.Config.DVocab != modelB.Config.DVocab)
            throw new ArgumentException(
                $"The models have different vocabularies ({modelA.Config.DVocab} vs {modelB.Config.DVocab} tokens), so they cannot read the same tokens.", nameof(modelB));
        using var acc = new CorrelationAccumulator();
        long seen = 0;
        foreach (var (batch, chunks) in source.Batches(modelA, batchSize))
        {
            using var owned = batch;
            using var scope = NewDisposeScope();
            var rows = RowIndex(chunks, batch.shape[1], maxTokens is { } m ? m - seen : long.MaxValue);
            if (rows.Length == 0) break;
            var index = tensor(rows, ScalarType.Int64);
            var x = AllNeurons(modelA, batch, index);
            var y = AllNeurons(modelB, batch.to(modelB.Device), index);
            acc.Add(x, y.to(x.device));
            seen += rows.Length;
            if (seen == maxTokens) break;
        }
        return new NeuronCorrelation(OnDevice.Move(acc.Correlation(), CPU), modelA.Config.DMlp, modelB.Config.DMlp, acc.Count);
    }

    /// <summary>Every neuron of every layer at the chosen flat rows: <c>[rows, n_layers · d_mlp]</c>.</summary>
    internal static Tensor AllNeurons(HookedTransformer model, Tensor batch, Tensor rowIndex)
    {
        var names = Enumerable.Range(0, model.Config.NLayers).Select(l => HookNames.Of("post", l)).ToArray();
        var index = rowIndex.to(model.Device);
        var acts = ActivationCapture.Run(model, batch, names, (_, a) => a.reshape(-1, a.shape[^1]).index_select(0, index));
        try
        {
            return cat(acts, 1);
        }
        finally
        {
            foreach (var a in acts) a.Dispose();
        }
    }

    /// <summary>Flat indices (<c>row · width + pos</c>) of the positions summarised, at most <paramref name="limit"/>.</summary>
    internal static long[] RowIndex(List<TokenChunk> chunks, long width, long limit) =>
        TokenChunkPositions.Of(chunks, includeBos: false).Take((int)Math.Min(limit, int.MaxValue)).Select(p => p.Row * width + p.Position).ToArray();
}
