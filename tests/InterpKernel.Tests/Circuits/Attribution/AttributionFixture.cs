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
        var saes = MlpTranscoders.Build(Model, Tokens, featuresPerPosition: 24);
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
