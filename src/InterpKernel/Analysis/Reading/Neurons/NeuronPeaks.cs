using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>The largest activation of every MLP neuron of a layer over a token source, to pick neurons worth a scan.</summary>
/// <example>
/// <code>
/// var peaks = NeuronPeaks.Of(model, layer: 1, TokenSource.FromPrompts(model, prompts));
/// var strongest = Enumerable.Range(0, peaks.Length).OrderByDescending(n => peaks[n]).Take(10);
/// </code>
/// </example>
public static class NeuronPeaks
{
    /// <summary>
    /// The largest <c>blocks.{layer}.mlp.hook_post</c> value of each neuron over every token of
    /// <paramref name="source"/> (BOS left out, as <see cref="ActivationScan"/> does): <c>[d_mlp]</c>.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="layer">The MLP's layer.</param>
    /// <param name="source">The tokens.</param>
    /// <param name="batchSize">Chunks per forward pass.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    public static float[] Of(HookedTransformer model, int layer, TokenSource source, int batchSize = 8, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        if (layer < 0 || layer >= model.Config.NLayers)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"layer {layer} does not exist: the model has {model.Config.NLayers} layers (0 to {model.Config.NLayers - 1}).");
        var hook = HookNames.Of("post", layer);
        float[]? peak = null;
        foreach (var (batch, chunks) in source.Batches(model, batchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            float[] values;
            long width = batch.shape[1], dMlp;
            using (batch)
            {
                var captured = ActivationCapture.Run(model, batch, [hook], (_, act) => act);
                using var cpu = captured[0].cpu();
                captured[0].Dispose();
                dMlp = cpu.shape[2];
                values = cpu.data<float>().ToArray(); // [batch * pos * d_mlp]
            }
            peak ??= Enumerable.Repeat(float.NegativeInfinity, (int)dMlp).ToArray();
            foreach (var (row, pos) in TokenChunkPositions.Of(chunks, includeBos: false))
            {
                var at = values.AsSpan((int)((row * width + pos) * dMlp), (int)dMlp);
                for (int n = 0; n < at.Length; n++)
                    if (at[n] > peak[n]) peak[n] = at[n];
            }
        }
        if (peak is null || peak.All(float.IsNegativeInfinity))
            throw new ArgumentException($"{source.Description} holds no tokens besides BOS: give some text to read the neurons on.", nameof(source));
        return peak;
    }
}
