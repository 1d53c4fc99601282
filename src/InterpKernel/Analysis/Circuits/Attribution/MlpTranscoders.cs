using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Stand-in transcoders made from a model's own MLPs, for trying attribution graphs before trained transcoders exist:
/// the encoder of layer <c>L</c> is the MLP's <c>W_in</c> and <c>b_in</c>, the decoder its <c>W_out</c> and
/// <c>b_out</c>, and the activation function becomes a JumpReLU whose threshold keeps about
/// <c>featuresPerPosition</c> neurons active a position on the given tokens. Features are then MLP neurons,
/// reconstruction is rough and the error nodes carry much of the effect: these are no substitute for trained
/// transcoders, whose features are sparse by training.
/// </summary>
/// <example>
/// <code>
/// using var tokens = model.ToTokens("And God said unto Moses");
/// var saes = MlpTranscoders.Build(model, tokens);
/// var graph = AttributionGraph.Compute(model, new TranscoderSet(saes), tokens);
/// </code>
/// </example>
public static class MlpTranscoders
{
    /// <summary>One transcoder per layer of <paramref name="model"/>, layer 0 first; the caller owns and disposes them.</summary>
    /// <param name="model">A model whose MLPs are ungated (GPT-2-style <c>W_in</c>, activation, <c>W_out</c>).</param>
    /// <param name="tokens">The tokens <c>[batch, pos]</c> on which the thresholds are set.</param>
    /// <param name="featuresPerPosition">About how many neurons of each layer stay active per position on <paramref name="tokens"/>.</param>
    public static IReadOnlyList<SparseAutoencoder> Build(HookedTransformer model, Tensor tokens, int featuresPerPosition = 24)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokens);
        for (int l = 0; l < model.Config.NLayers; l++)
        {
            if (model.Blocks[l].Experts is not null)
                throw new ArgumentException($"Layer {l} has a mixture of experts, not one MLP to make a transcoder from: use trained transcoders.", nameof(model));
            if (model.Blocks[l].Mlp.WGate is not null)
                throw new ArgumentException($"The MLP of layer {l} is gated: its neurons are not one matrix in and one out, so they make no transcoder. Use trained transcoders.", nameof(model));
        }
        long positions = tokens.numel();
        int dMlp = (int)model.Blocks[0].Mlp.WIn.shape[1];
        if (featuresPerPosition < 1 || featuresPerPosition >= dMlp)
            throw new ArgumentException($"featuresPerPosition is {featuresPerPosition}: give 1 to {dMlp - 1} (the MLPs have {dMlp} neurons).", nameof(featuresPerPosition));

        var saes = new List<SparseAutoencoder>();
        using var scope = NewDisposeScope();
        var (_, cache) = model.RunWithCache(tokens, n => n.EndsWith(".ln2.hook_normalized", StringComparison.Ordinal));
        using (cache)
        {
            for (int l = 0; l < model.Config.NLayers; l++)
            {
                var mlp = model.Blocks[l].Mlp;
                var pre = cache[TranscoderSet.InputHook(l)].matmul(mlp.WIn) + mlp.BIn; // [batch, pos, d_mlp]
                var sorted = pre.flatten().sort(descending: true).Values;
                // Halfway between two pre-activations, so that float noise cannot flip a feature across the threshold.
                long k = featuresPerPosition * positions;
                double threshold = (sorted[k - 1].item<float>() + sorted[k].item<float>()) / 2;
                var config = new SaeConfig(SaeArchitecture.JumpRelu, model.Config.DModel, dMlp, TranscoderSet.InputHook(l)) { ApplyBDecToInput = false };
                saes.Add(SparseAutoencoder.FromWeights(config, mlp.WIn, mlp.BIn, mlp.WOut, mlp.BOut, full(dMlp, threshold, mlp.WIn.dtype, device: mlp.WIn.device)));
            }
        }
        return saes;
    }
}
