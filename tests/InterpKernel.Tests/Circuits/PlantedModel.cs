using InterpKernel.Analysis;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Circuits;

/// <summary>
/// A two-layer model whose weights are set by hand so that only known edges can matter: queries and keys are zero
/// (uniform attention, so no query or key edge has any effect), every MLP writes nothing, and only heads 0.0 and 1.1
/// write to the stream. What remains: the token embedding into the values of 0.0 and 1.1, 0.0 into the values of 1.1,
/// and the embedding, 0.0 and 1.1 into the logits.
/// </summary>
internal static class PlantedModel
{
    public static readonly string[] Edges =
    [
        "input->a0.h0<v>", "input->a1.h1<v>", "a0.h0->a1.h1<v>", "input->logits", "a0.h0->logits", "a1.h1->logits",
    ];

    public static HookedTransformer Create()
    {
        var config = new TransformerConfig
        {
            DModel = 16, NHeads = 2, DHead = 8, NLayers = 2, DMlp = 32, NCtx = 16, DVocab = 24, ModelType = "planted",
        };
        var model = HookedTransformer.FromConfig(config, seed: 5, initRange: 0.5);
        using var _ = no_grad();
        foreach (var (name, p) in model.named_parameters())
        {
            if (name.EndsWith("attn.W_QKV", StringComparison.Ordinal)) p.narrow(1, 0, 2 * config.NHeads * config.DHead).zero_(); // q and k columns
            if (name.EndsWith("attn.b_QKV", StringComparison.Ordinal)) p.zero_();
            if (name.EndsWith("mlp.W_out", StringComparison.Ordinal) || name.EndsWith("mlp.b_out", StringComparison.Ordinal)) p.zero_();
            if (name == "blocks.0.attn.W_O") p.narrow(0, config.DHead, config.DHead).zero_();  // head 0.1 writes nothing
            if (name == "blocks.1.attn.W_O") p.narrow(0, 0, config.DHead).zero_();             // head 1.0 writes nothing
            if (name.EndsWith("pos_embed.W_pos", StringComparison.Ordinal)) p.zero_();
        }
        return model;
    }

    /// <summary>Clean and corrupted prompts that differ in every token, and the metric: the last position's logit of token 3.</summary>
    public static (Tensor Clean, Tensor Corrupt, Func<Tensor, Tensor> Metric) Task()
    {
        var gen = new Generator(11);
        var clean = randint(0, 12, [8, 6], generator: gen);
        var corrupt = randint(12, 24, [8, 6], generator: gen);
        return (clean, corrupt, logits => logits.select(1, -1).select(1, 3));
    }
}
