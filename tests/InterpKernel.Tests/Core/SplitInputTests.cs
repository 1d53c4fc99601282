using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Core;

/// <summary>
/// The opt-in per-head inputs (<c>hook_q_input</c>, <c>hook_k_input</c>, <c>hook_v_input</c>, <c>hook_attn_in</c>)
/// and <c>hook_mlp_in</c>: turning them on leaves the logits as they were, their activations have the documented
/// shapes, a head's copy reaches only that head, and the hook list is what a forward fires.
/// </summary>
public class SplitInputTests
{
    static readonly long[] Tokens = [81, 213, 287, 262, 424, 213, 75, 50, 75, 21];

    static string Path(string model) =>
        model == "kjv-gpt2-2l" ? TestPaths.Models(model) : TestPaths.Fixture($"hf-reference/{model}");

    static LoadOptions Options(string option) => option switch
    {
        "split" => new LoadOptions { UseSplitQkvInput = true },
        "attn_in" => new LoadOptions { UseAttnIn = true },
        "mlp_in" => new LoadOptions { UseHookMlpIn = true },
        "all" => new LoadOptions { UseSplitQkvInput = true, UseAttnIn = true, UseHookMlpIn = true },
        _ => new LoadOptions(),
    };

    public static TheoryData<string, string> Cases => new()
    {
        { "kjv-gpt2-2l", "split" }, { "kjv-gpt2-2l", "attn_in" }, { "kjv-gpt2-2l", "mlp_in" }, { "kjv-gpt2-2l", "all" },
        { "tiny-qwen2", "split" }, { "tiny-qwen2", "mlp_in" }, { "tiny-mistral", "split" }, { "tiny-gpt-neox", "mlp_in" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Option_on_leaves_the_logits_unchanged(string model, string option)
    {
        using var tokens = tensor(Tokens).unsqueeze(0);
        using var plain = HookedTransformer.FromPretrained(Path(model), new LoadOptions());
        using var split = HookedTransformer.FromPretrained(Path(model), Options(option));
        using var expected = plain.Forward(tokens);
        using var actual = split.Forward(tokens);
        double diff = (actual - expected).abs().max().item<float>();
        Assert.True(diff <= 1e-5, $"{model} with {option}: logits differ by {diff}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Hook_list_is_what_a_forward_fires(string model, string option)
    {
        using var split = HookedTransformer.FromPretrained(Path(model), Options(option));
        using var tokens = tensor(Tokens).unsqueeze(0);
        var fired = new List<string>();
        using (split.Hooks(_ => true, (a, h) => { fired.Add(h.Name); return null; }))
        using (split.Forward(tokens)) { }
        // ln1 normalises each per-head input in turn, so with split inputs its hooks fire three times.
        Assert.Equal(split.HookNames, fired.Distinct());
        int ln1Fires = option is "split" or "all" ? 3 : 1;
        var ln1Hook = split.HookNames.FirstOrDefault(n => n.StartsWith("blocks.0.ln1.", StringComparison.Ordinal));
        if (ln1Hook is not null) Assert.Equal(ln1Fires, fired.Count(n => n == ln1Hook));
        foreach (var name in new[] { "hook_q_input", "hook_k_input", "hook_v_input" })
            Assert.Equal(option is "split" or "all", split.HookNames.Contains($"blocks.0.{name}"));
        Assert.Equal(option is "attn_in" or "all", split.HookNames.Contains("blocks.0.hook_attn_in"));
        Assert.Equal(option is "mlp_in" or "all", split.HookNames.Contains("blocks.0.hook_mlp_in"));
    }

    [Fact]
    public void Options_off_add_no_hooks()
    {
        using var model = HookedTransformer.FromPretrained(Path("kjv-gpt2-2l"), new LoadOptions());
        Assert.DoesNotContain(model.HookNames, n => n.EndsWith("_input", StringComparison.Ordinal) || n.EndsWith("hook_attn_in", StringComparison.Ordinal) || n.EndsWith("hook_mlp_in", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("kjv-gpt2-2l")]
    [InlineData("tiny-qwen2")]
    public void Per_head_inputs_have_head_axes(string model)
    {
        using var split = HookedTransformer.FromPretrained(Path(model), Options(model == "kjv-gpt2-2l" ? "all" : "split"));
        using var tokens = tensor(Tokens).unsqueeze(0);
        var (logits, cache) = split.RunWithCache(tokens);
        using (logits)
        using (cache)
        {
            var c = split.Config;
            long pos = Tokens.Length;
            Assert.Equal([1, pos, c.NHeads, c.DModel], cache["blocks.0.hook_q_input"].shape);
            Assert.Equal([1, pos, c.KeyValueHeads, c.DModel], cache["blocks.0.hook_k_input"].shape);
            Assert.Equal([1, pos, c.KeyValueHeads, c.DModel], cache["blocks.0.hook_v_input"].shape);
            if (model == "kjv-gpt2-2l")
            {
                Assert.Equal([1, pos, c.NHeads, c.DModel], cache["blocks.0.hook_attn_in"].shape);
                Assert.Equal([1, pos, c.DModel], cache["blocks.1.hook_mlp_in"].shape);
                Assert.True(cache["blocks.1.hook_mlp_in"].allclose(cache["blocks.1.hook_resid_mid"]));
            }
            else
            {
                Assert.True(c.KeyValueHeads < c.NHeads, "the fixture groups its query heads");
            }
        }
    }

    [Fact]
    public void Zeroing_one_heads_query_input_changes_only_that_heads_queries()
    {
        using var split = HookedTransformer.FromPretrained(Path("kjv-gpt2-2l"), Options("split"));
        using var tokens = tensor(Tokens).unsqueeze(0);
        const int head = 1;
        var (_, clean) = split.RunWithCache(tokens, "blocks.0.attn.hook_q");
        Tensor? patched = null;
        using (split.Hooks(("blocks.0.hook_q_input", (a, _) => { a[.., .., head] = 0; return a; }),
                           ("blocks.0.attn.hook_q", (a, _) => { patched = a.detach().clone(); return null; })))
        using (split.Forward(tokens)) { }
        using (clean)
        {
            var before = clean["blocks.0.attn.hook_q"]; // [batch, pos, head_index, d_head]
            Assert.NotNull(patched);
            using var changed = (patched! - before).abs().amax([0, 1, 3]); // per head
            for (int h = 0; h < split.Config.NHeads; h++)
                if (h == head) Assert.True(changed[h].item<float>() > 1e-3, "the zeroed head's queries moved");
                else Assert.Equal(0f, changed[h].item<float>());
            patched!.Dispose();
        }
    }

    [Theory]
    [InlineData("kjv-gpt2-2l", "all")]
    [InlineData("tiny-qwen2", "split")]
    public void Cached_generation_matches_the_plain_model(string model, string option)
    {
        using var tokens = tensor(Tokens).unsqueeze(0);
        using var plain = HookedTransformer.FromPretrained(Path(model), new LoadOptions());
        using var split = HookedTransformer.FromPretrained(Path(model), Options(option));
        using var expected = plain.Generate(tokens, 4);
        using var actual = split.Generate(tokens, 4);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.eq(actual).all().item<bool>(), $"{model} with {option}: generation differs");
    }

    [Fact]
    public void Attn_in_is_refused_for_grouped_query_attention()
    {
        var error = Assert.Throws<NotSupportedException>(() => HookedTransformer.FromPretrained(Path("tiny-qwen2"), Options("attn_in")));
        Assert.Contains("UseSplitQkvInput", error.Message);
    }
}
