using InterpKernel.Loading;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Core;

/// <summary>GPT-NeoX, Llama and Qwen2 checkpoints against Hugging Face transformers, in float32.</summary>
public class FamilyParityTests
{
    public static TheoryData<string> Families => new() { "tiny-gpt-neox", "tiny-llama", "tiny-qwen2" };

    [Theory]
    [MemberData(nameof(Families))]
    public void Hidden_states_attentions_and_logits_match_hugging_face(string name)
    {
        string folder = TestPaths.Fixture($"hf-reference/{name}");
        using var model = HookedTransformer.FromPretrained(folder, "cpu", null, processWeights: false);
        using var reference = SafeTensorsFile.Open(Path.Combine(folder, "reference.safetensors"));
        int prompts = reference.Tensors.Keys.Count(k => k.EndsWith(".input_ids", StringComparison.Ordinal));
        Assert.True(prompts >= 2);
        int n = model.Config.NLayers;
        for (int p = 0; p < prompts; p++)
        {
            using var scope = NewDisposeScope();
            var ids = reference.Load($"p{p}.input_ids").unsqueeze(0);
            var hidden = reference.Load($"p{p}.hidden_states");
            var attentions = reference.Load($"p{p}.attentions");
            var expectedLogits = reference.Load($"p{p}.logits");
            var (logits, cache) = model.RunWithCache(ids);
            using (cache)
            {
                for (int l = 0; l < n; l++)
                {
                    HuggingFaceParityTests.AssertClose(hidden[l], cache["resid_pre", l][0], $"{name} p{p} resid_pre {l}");
                    HuggingFaceParityTests.AssertClose(attentions[l], cache["pattern", l][0], $"{name} p{p} pattern {l}");
                }
                // Hugging Face's last hidden state is the final norm's output, learned scale included.
                var finalNorm = model.LnFinal.call(cache[$"blocks.{n - 1}.hook_resid_post"]);
                HuggingFaceParityTests.AssertClose(hidden[n], finalNorm[0], $"{name} p{p} final norm");
                HuggingFaceParityTests.AssertClose(expectedLogits, logits[0], $"{name} p{p} logits");
            }
            logits.Dispose();
        }
    }
}
