using InterpKernel.Loading;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Core;

/// <summary>
/// Tiny random checkpoints of every supported family against Hugging Face transformers (eager attention), in float32
/// without weight processing: every hidden state, attention pattern and logit within 1e-4.
/// </summary>
public class FamilyParityTests(ITestOutputHelper output)
{
    const double Tolerance = 1e-4;

    public static TheoryData<string> Families => new()
    {
        "tiny-gpt-neox", "tiny-llama", "tiny-qwen2", "tiny-gpt2-big", "tiny-gpt-neo", "tiny-gptj", "tiny-stablelm",
        "tiny-llama31", "tiny-mistral", "tiny-mixtral", "tiny-qwen3", "tiny-phi3", "tiny-olmo2",
        "tiny-gemma", "tiny-gemma2", "tiny-gemma3",
    };

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
        double worstHidden = 0, worstPattern = 0, worstLogits = 0;
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
                    worstHidden = Math.Max(worstHidden, MaxDiff(hidden[l], cache["resid_pre", l][0], $"{name} p{p} resid_pre {l}"));
                    worstPattern = Math.Max(worstPattern, MaxDiff(attentions[l], cache["pattern", l][0], $"{name} p{p} pattern {l}"));
                }
                // Hugging Face's last hidden state is the final norm's output, learned scale included.
                var finalNorm = model.LnFinal.call(cache[$"blocks.{n - 1}.hook_resid_post"]);
                worstHidden = Math.Max(worstHidden, MaxDiff(hidden[n], finalNorm[0], $"{name} p{p} final norm"));
                worstLogits = Math.Max(worstLogits, MaxDiff(expectedLogits, logits[0], $"{name} p{p} logits"));
            }
            logits.Dispose();
        }
        output.WriteLine($"{name}: max |Δ| hidden {worstHidden:E2}, attention {worstPattern:E2}, logits {worstLogits:E2}");
    }

    static double MaxDiff(Tensor expected, Tensor actual, string what)
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape),
            $"{what}: shape [{string.Join(", ", actual.shape)}], expected [{string.Join(", ", expected.shape)}]");
        using var diff = (expected.to(ScalarType.Float64) - actual.to(ScalarType.Float64)).abs().max();
        double max = diff.item<double>();
        Assert.True(max <= Tolerance, $"{what}: max abs difference {max:E3} > {Tolerance:E1}");
        return max;
    }
}
