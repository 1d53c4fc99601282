using InterpKernel.Analysis;
using Xunit;
using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Circuits.Attribution;

public sealed class MlpTranscodersTests
{
    [Fact]
    public void Each_layer_keeps_the_asked_number_of_neurons_active_over_the_prompt()
    {
        using var model = HookedTransformer.FromPretrained(TestPaths.Models("kjv-gpt2-2l"));
        using var tokens = model.ToTokens("And God said unto Moses, I AM THAT I AM");
        var saes = MlpTranscoders.Build(model, tokens, featuresPerPosition: 5);
        try
        {
            Assert.Equal(model.Config.NLayers, saes.Count);
            using var scope = NewDisposeScope();
            var (_, cache) = model.RunWithCache(tokens, n => n.EndsWith(".ln2.hook_normalized", StringComparison.Ordinal));
            using (cache)
            {
                for (int l = 0; l < saes.Count; l++)
                {
                    Assert.False(saes[l].Config.ApplyBDecToInput);
                    Assert.Equal(TranscoderSet.InputHook(l), saes[l].Config.HookName);
                    var acts = saes[l].Encode(cache[TranscoderSet.InputHook(l)]); // [1, pos, d_mlp]
                    Assert.Equal(5 * tokens.shape[1], (acts > 0).sum().item<long>());
                }
            }
        }
        finally
        {
            foreach (var sae in saes) sae.Dispose();
        }
    }

    [Theory]
    [InlineData("tiny-llama", "gated")]
    [InlineData("tiny-mixtral", "mixture of experts")]
    public void Gated_and_mixture_of_experts_mlps_are_refused(string family, string reason)
    {
        using var model = HookedTransformer.FromPretrained(TestPaths.Fixture($"hf-reference/{family}"));
        using var tokens = tensor(new long[] { 1, 7, 42, 3 }).unsqueeze(0);
        var error = Assert.Throws<ArgumentException>(() => MlpTranscoders.Build(model, tokens));
        Assert.Contains(reason, error.Message);
        Assert.Contains("trained transcoders", error.Message);
    }
}
