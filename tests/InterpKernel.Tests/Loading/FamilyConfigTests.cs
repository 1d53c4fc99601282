using System.Text.Json;
using InterpKernel.Components;
using InterpKernel.Loading;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Loading;

/// <summary>How family configs map onto <see cref="TransformerConfig"/>, including the older spellings of each field.</summary>
public class FamilyConfigTests
{
    static TransformerConfig Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return HuggingFaceConfig.Parse(doc.RootElement, "config.json");
    }

    const string LlamaShape = "\"hidden_size\": 64, \"num_attention_heads\": 4, \"num_key_value_heads\": 2, \"num_hidden_layers\": 4, " +
                              "\"intermediate_size\": 128, \"max_position_embeddings\": 128, \"vocab_size\": 512";

    [Fact]
    public void Special_token_ids_outside_the_vocabulary_are_not_taken_as_bos_or_eos()
    {
        const string template = """{"model_type": "gpt2", "n_embd": 16, "n_head": 2, "n_layer": 1, "n_positions": 32, "vocab_size": VOCAB, "bos_token_id": 50256, "eos_token_id": 50256}""";
        var tiny = Parse(template.Replace("VOCAB", "512"));
        Assert.Null(tiny.BosTokenId);
        Assert.Null(tiny.EosTokenId);
        var full = Parse(template.Replace("VOCAB", "50257"));
        Assert.Equal(50256, full.BosTokenId);
        Assert.Equal(50256, full.EosTokenId);
    }

    [Fact]
    public void An_older_Llama_3_1_config_with_rope_scaling_and_a_top_level_theta_loads()
    {
        var c = Parse($$$"""
            {"model_type": "llama", {{{LlamaShape}}}, "rope_theta": 500000.0,
            "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 32}}
            """);
        Assert.Equal(500000.0, c.RotaryBase);
        Assert.Equal(new RopeScaling { Type = "llama3", Factor = 8, LowFreqFactor = 1, HighFreqFactor = 4, OriginalMaxPositions = 32 }, c.RopeScaling);
    }

    [Fact]
    public void An_unknown_rope_type_names_the_supported_ones()
    {
        var e = Assert.Throws<NotSupportedException>(() => Parse($$$"""{"model_type": "phi3", {{{LlamaShape}}}, "rope_scaling": {"type": "longrope"}}"""));
        Assert.Contains("'longrope' is not supported", e.Message);
        Assert.Contains("default, linear, dynamic, llama3, yarn", e.Message);
    }

    [Fact]
    public void Linear_dynamic_and_yarn_frequencies_follow_their_definitions()
    {
        using var scope = NewDisposeScope();
        var baseFreq = RotaryFrequencies.Default(16, 10000);
        var (linear, a1) = RotaryFrequencies.Compute(16, 10000, new RopeScaling { Type = "linear", Factor = 4 }, 128, 10);
        Assert.True(linear.allclose(baseFreq / 4));
        Assert.Equal(1.0, a1);
        // Dynamic NTK changes nothing within the trained context and lowers every frequency but the first past it.
        var dynamic = new RopeScaling { Type = "dynamic", Factor = 2, OriginalMaxPositions = 64 };
        Assert.True(RotaryFrequencies.Compute(16, 10000, dynamic, 128, 64).InvFreq.allclose(baseFreq));
        var longer = RotaryFrequencies.Compute(16, 10000, dynamic, 128, 100).InvFreq;
        Assert.True(longer[1..].lt(baseFreq[1..]).all().item<bool>());
        // YaRN: the highest frequencies are kept, the lowest divided by the factor; cos and sin grow by 0.1 ln(s) + 1.
        var (yarn, attention) = RotaryFrequencies.Compute(16, 10000, new RopeScaling { Type = "yarn", Factor = 4 }, 128, 10);
        Assert.Equal(0.1 * Math.Log(4) + 1, attention, 12);
        Assert.Equal(baseFreq[0].item<float>(), yarn[0].item<float>(), 6);
        Assert.Equal(baseFreq[-1].item<float>() / 4, yarn[-1].item<float>(), 6);
    }

    [Fact]
    public void Sliding_windows_come_from_layer_types_or_each_familys_older_convention()
    {
        var mistral = Parse($$$"""{"model_type": "mistral", {{{LlamaShape}}}, "sliding_window": 4096}""");
        Assert.Equal([4096, 4096, 4096, 4096], mistral.SlidingWindows!);
        var qwen = Parse($$$"""{"model_type": "qwen2", {{{LlamaShape}}}, "sliding_window": 32, "use_sliding_window": true, "max_window_layers": 2}""");
        Assert.Equal([null, null, 32, 32], qwen.SlidingWindows!);
        Assert.Null(Parse($$$"""{"model_type": "qwen2", {{{LlamaShape}}}, "sliding_window": 32, "use_sliding_window": false}""").SlidingWindows);
        var gemma2 = Parse($$$"""{"model_type": "gemma2", {{{LlamaShape}}}, "head_dim": 16, "sliding_window": 8, "query_pre_attn_scalar": 16}""");
        Assert.Equal([8, null, 8, null], gemma2.SlidingWindows!);
        Assert.Equal(0.25, gemma2.AttnScale);
        var typed = Parse($$$"""
            {"model_type": "gemma3_text", {{{LlamaShape}}}, "head_dim": 16, "sliding_window": 8,
            "layer_types": ["sliding_attention", "sliding_attention", "sliding_attention", "full_attention"],
            "rope_theta": 1000000.0, "rope_local_base_freq": 10000.0}
            """);
        Assert.Equal([8, 8, 8, null], typed.SlidingWindows!);
        Assert.Equal(1000000.0, typed.RotaryBase);
        Assert.Equal(10000.0, typed.LocalRotaryBase);
        Assert.Equal(QueryKeyNormalization.PerHead, typed.QueryKeyNorm);
    }
}
