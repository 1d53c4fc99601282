using System.Text.Json;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Families;

/// <summary>
/// Greedy generation on the tiny Hugging Face fixtures: the 12 tokens transformers chose after prompt p0, with raw and
/// processed weights, with the key/value cache and without. The prompt (16 tokens) is longer than the Gemma 2/3 and
/// GPT-Neo sliding windows (8), so the cached generation also checks that the window keeps moving.
/// </summary>
public class FamilyGenerationTests
{
    public static TheoryData<string, bool, bool> Cases()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (var name in FamilyFixtures.WithGeneration)
            foreach (bool processed in new[] { false, true })
                foreach (bool cached in new[] { true, false })
                    data.Add(name, processed, cached);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Greedy_tokens_equal_hugging_face(string name, bool processWeights, bool useKeyValueCache)
    {
        string folder = TestPaths.Fixture($"hf-reference/{name}");
        var (prompt, expected) = FamilyFixtures.Generation(folder);
        using var model = HookedTransformer.FromPretrained(folder, "cpu", null, processWeights);
        using var tokens = tensor(prompt).unsqueeze(0);
        using var output = model.Generate(tokens, expected.Length, 0f, null, stopAtEos: false, useKeyValueCache: useKeyValueCache);
        var generated = output[0].data<long>().Skip(prompt.Length).ToArray();
        Assert.Equal(expected, generated);
    }

    public static TheoryData<string> Families => new(FamilyFixtures.WithGeneration);

    [Theory]
    [MemberData(nameof(Families))]
    public void Processing_keeps_every_log_probability(string name)
    {
        string folder = TestPaths.Fixture($"hf-reference/{name}");
        var (prompt, _) = FamilyFixtures.Generation(folder);
        using var raw = HookedTransformer.FromPretrained(folder, "cpu", null, processWeights: false);
        using var processed = HookedTransformer.FromPretrained(folder, "cpu", null, processWeights: true);
        Assert.True(processed.WeightsProcessed);
        using var tokens = tensor(prompt).unsqueeze(0);
        using var a = raw.Forward(tokens).log_softmax(-1);
        using var b = processed.Forward(tokens).log_softmax(-1);
        double max = (a - b).abs().max().item<float>();
        Assert.True(max <= 1e-4, $"{name}: log-probabilities differ by {max:E2} after processing");
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Every_family_runs_in_bfloat16(string name)
    {
        string folder = TestPaths.Fixture($"hf-reference/{name}");
        var (prompt, _) = FamilyFixtures.Generation(folder);
        using var model = HookedTransformer.FromPretrained(folder, "cpu", ScalarType.BFloat16);
        using var full = HookedTransformer.FromPretrained(folder, "cpu", ScalarType.Float32);
        using var tokens = tensor(prompt).unsqueeze(0);
        using var half = model.Forward(tokens).to(ScalarType.Float32).log_softmax(-1);
        using var reference = full.Forward(tokens).log_softmax(-1);
        Assert.Equal(ScalarType.BFloat16, model.Dtype);
        Assert.True(half.isfinite().all().item<bool>(), $"{name}: non-finite log-probabilities in bfloat16");
        double gap = (half.exp() - reference.exp()).abs().max().item<float>();
        Assert.True(gap < 0.1, $"{name}: bfloat16 probabilities differ from float32 by {gap:F3}");
        using var generated = model.Generate(tokens, 3);
        Assert.Equal(prompt.Length + 3, generated.shape[1]);
    }
}

/// <summary>The tiny family fixtures and their <c>generate.json</c>.</summary>
internal static class FamilyFixtures
{
    public static readonly string[] WithGeneration =
    [
        "tiny-gpt2-big", "tiny-gpt-neo", "tiny-gptj", "tiny-stablelm", "tiny-llama31", "tiny-mistral", "tiny-mixtral",
        "tiny-qwen3", "tiny-phi3", "tiny-olmo2", "tiny-gemma", "tiny-gemma2", "tiny-gemma3",
    ];

    public static (long[] Prompt, long[] Greedy) Generation(string folder)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "generate.json")));
        long[] Read(string name) => json.RootElement.GetProperty(name).EnumerateArray().Select(e => e.GetInt64()).ToArray();
        return (Read("prompt"), Read("greedy_12"));
    }
}
