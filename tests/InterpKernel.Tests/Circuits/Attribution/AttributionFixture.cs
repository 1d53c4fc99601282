using InterpKernel.Analysis;
using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Circuits.Attribution;

/// <summary>
/// kjv-gpt2-2l with one transcoder per layer made from the layer's own MLP: the encoder is <c>W_in</c>, the decoder
/// <c>W_out</c>, and GELU becomes a JumpReLU whose threshold keeps about 24 features a position on the prompt, so
/// features are sparse, reconstruction is rough and the error nodes matter.
/// </summary>
public sealed class AttributionFixture : IDisposable
{
    public const string Prompt = "And God said unto Moses, I AM THAT I AM";

    public AttributionFixture()
    {
        Model = HookedTransformer.FromPretrained(TestPaths.Models("kjv-gpt2-2l"));
        Tokens = Model.ToTokens(Prompt);
        var saes = new List<SparseAutoencoder>();
        using var scope = NewDisposeScope();
        var (_, cache) = Model.RunWithCache(Tokens, n => n.EndsWith(".ln2.hook_normalized", StringComparison.Ordinal));
        using (cache)
        {
            for (int l = 0; l < Model.Config.NLayers; l++)
            {
                var mlp = Model.Blocks[l].Mlp;
                int dMlp = (int)mlp.WIn.shape[1];
                var pre = cache[TranscoderSet.InputHook(l)].matmul(mlp.WIn) + mlp.BIn; // [1, pos, d_mlp]
                var sorted = pre.flatten().sort(descending: true).Values;
                // Halfway between two pre-activations, so that float noise cannot flip a feature across the threshold.
                long k = 24 * Tokens.shape[1];
                double threshold = (sorted[k - 1].item<float>() + sorted[k].item<float>()) / 2;
                var config = new SaeConfig(SaeArchitecture.JumpRelu, Model.Config.DModel, dMlp, TranscoderSet.InputHook(l)) { ApplyBDecToInput = false };
                saes.Add(SparseAutoencoder.FromWeights(config, mlp.WIn, mlp.BIn, mlp.WOut, mlp.BOut, full(dMlp, threshold, mlp.WIn.dtype)));
            }
        }
        Saes = saes;
        Transcoders = new TranscoderSet(saes);
    }

    public HookedTransformer Model { get; }
    public Tensor Tokens { get; }
    public IReadOnlyList<SparseAutoencoder> Saes { get; }
    public TranscoderSet Transcoders { get; }

    public void Dispose()
    {
        foreach (var s in Saes) s.Dispose();
        Tokens.Dispose();
        Model.Dispose();
    }
}
