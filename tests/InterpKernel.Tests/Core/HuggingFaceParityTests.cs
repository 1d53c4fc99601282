using System.Text.Json;
using InterpKernel.Loading;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Core;

/// <summary>Activations of the embedded GPT-2 models against those Hugging Face transformers computed.</summary>
public class HuggingFaceParityTests
{
    const double Tolerance = 1e-4;

    public static TheoryData<string> Models => new() { "kjv-gpt2-2l", "kjv-gpt2-4l" };

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_hidden_state_attention_pattern_and_logit_matches_hugging_face(string name)
    {
        // Raw weights: processing would change hook values (LayerNorm outputs, residual means, logits by a constant).
        using var model = HookedTransformer.FromPretrained(TestPaths.Models(name), "cpu", null, processWeights: false);
        using var reference = SafeTensorsFile.Open(TestPaths.Fixture($"hf-reference/{name}/reference.safetensors"));
        int prompts = reference.Tensors.Keys.Count(k => k.EndsWith(".input_ids", StringComparison.Ordinal));
        Assert.Equal(3, prompts);
        for (int p = 0; p < prompts; p++)
        {
            using var scope = NewDisposeScope();
            var ids = reference.Load($"p{p}.input_ids").unsqueeze(0);
            var hidden = reference.Load($"p{p}.hidden_states");   // [n_layers + 1, pos, d_model]
            var attentions = reference.Load($"p{p}.attentions");  // [n_layers, n_heads, pos, pos]
            var expectedLogits = reference.Load($"p{p}.logits");  // [pos, d_vocab]
            var (logits, cache) = model.RunWithCache(ids);
            using (cache)
            {
                for (int l = 0; l < model.Config.NLayers; l++)
                {
                    AssertClose(hidden[l], cache["resid_pre", l][0], $"{name} p{p} blocks.{l}.hook_resid_pre");
                    AssertClose(attentions[l], cache["pattern", l][0], $"{name} p{p} blocks.{l}.attn.hook_pattern");
                }
                AssertClose(hidden[model.Config.NLayers], cache["ln_final.hook_normalized"][0], $"{name} p{p} ln_final.hook_normalized");
                AssertClose(expectedLogits, logits[0], $"{name} p{p} logits");
            }
            logits.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void The_tokenizer_reproduces_the_reference_input_ids(string name)
    {
        using var model = HookedTransformer.FromPretrained(TestPaths.Models(name));
        using var reference = SafeTensorsFile.Open(TestPaths.Fixture($"hf-reference/{name}/reference.safetensors"));
        using var json = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture($"hf-reference/{name}/reference.json")));
        var texts = json.RootElement.GetProperty("prompts").EnumerateArray().Select(e => e.GetString()!).ToArray();
        for (int p = 0; p < texts.Length; p++)
        {
            using var expected = reference.Load($"p{p}.input_ids");
            using var actual = model.ToTokens(texts[p], prependBos: false);
            Assert.Equal(expected.data<long>().ToArray(), actual[0].data<long>().ToArray());
        }
    }

    [Fact]
    public void The_fused_attention_path_gives_the_same_logits_as_the_materialised_pattern()
    {
        using var model = HookedTransformer.FromPretrained(TestPaths.Models("kjv-gpt2-4l"));
        using var tokens = model.ToTokens("And the LORD spake unto Moses, saying, Speak unto the children of Israel");
        using var fused = model.Forward(tokens);
        var (materialised, cache) = model.RunWithCache(tokens, n => n.EndsWith("hook_pattern", StringComparison.Ordinal));
        using (cache)
        using (materialised)
            AssertClose(materialised, fused, "fused vs materialised logits");
    }

    internal static void AssertClose(Tensor expected, Tensor actual, string what, double tolerance = Tolerance)
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape),
            $"{what}: shape [{string.Join(", ", actual.shape)}], expected [{string.Join(", ", expected.shape)}]");
        using var diff = (expected.to(ScalarType.Float64) - actual.to(ScalarType.Float64)).abs().max();
        double max = diff.item<double>();
        Assert.True(max <= tolerance, $"{what}: max abs difference {max:E3} > {tolerance:E1}");
    }
}
