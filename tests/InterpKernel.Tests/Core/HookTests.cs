using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Core;

public class HookTests(Gpt2Fixture fixture) : IClassFixture<Gpt2Fixture>
{
    readonly HookedTransformer _model = fixture.Model;

    [Fact]
    public void The_hook_names_match_the_approved_snapshot()
    {
        Assert.Equal(Approved("kjv-gpt2-2l"), string.Join("\n", _model.HookNames));
    }

    [Theory]
    [InlineData("tiny-gpt-neox")] // parallel attention and MLP: no hook_resid_mid; rotary: hook_rot_q/k, no hook_pos_embed
    [InlineData("tiny-llama")]    // gated MLP: hook_pre_linear
    public void Other_families_hook_names_match_their_approved_snapshots(string name)
    {
        using var model = HookedTransformer.FromPretrained(TestPaths.Fixture($"hf-reference/{name}"));
        Assert.Equal(Approved(name), string.Join("\n", model.HookNames));
    }

    static string Approved(string name) =>
        File.ReadAllText(TestPaths.Fixture($"approved/{name}.hook-names.txt")).Replace("\r\n", "\n").TrimEnd();

    [Fact]
    public void Every_hook_fires_exactly_once_per_forward_in_the_listed_order()
    {
        var fired = new List<string>();
        using (_model.Hooks(_ => true, (a, h) => { fired.Add(h.Name); return null; }))
        using (var tokens = _model.ToTokens("And God said, Let there be light"))
        using (_model.Forward(tokens)) { }
        Assert.Equal(_model.HookNames, fired);
    }

    [Theory]
    [InlineData("tiny-gpt-neox")]
    [InlineData("tiny-llama")]
    [InlineData("tiny-qwen2")]
    public void Other_families_fire_every_listed_hook_once_in_order(string name)
    {
        using var model = HookedTransformer.FromPretrained(TestPaths.Fixture($"hf-reference/{name}"));
        var fired = new List<string>();
        using (model.Hooks(_ => true, (a, h) => { fired.Add(h.Name); return null; }))
        using (var tokens = tensor(new long[] { 1, 5, 9, 2 }).unsqueeze(0))
        using (model.Forward(tokens)) { }
        Assert.Equal(model.HookNames, fired);
    }

    [Fact]
    public void Hook_activations_have_the_TransformerLens_shapes()
    {
        using var tokens = _model.ToTokens("In the beginning");
        var (logits, cache) = _model.RunWithCache(tokens);
        using (logits)
        using (cache)
        {
            long p = tokens.shape[1];
            Assert.Equal([1, p, 50257], logits.shape);
            Assert.Equal([1, p, 128], cache["hook_embed"].shape);
            Assert.Equal([1, p, 8, 16], cache["q", 0].shape);
            Assert.Equal([1, p, 8, 16], cache["z", 1].shape);
            Assert.Equal([1, 8, p, p], cache["pattern", 1].shape);
            Assert.Equal([1, 8, p, p], cache["attn_scores", 0].shape);
            Assert.Equal([1, p, 512], cache["post", 1].shape);
            Assert.Equal([1, p, 1], cache["scale", 0, "ln1"].shape);
            Assert.Equal([1, p, 128], cache["normalized", null, "ln_final"].shape);
        }
    }

    [Fact]
    public void A_replaced_activation_changes_what_follows()
    {
        using var tokens = _model.ToTokens("And God said, Let there be light");
        using var clean = _model.Forward(tokens);
        using var patched = _model.RunWithHooks(tokens, ("blocks.0.hook_mlp_out", (a, _) => zeros_like(a)));
        using var diff = (clean - patched).abs().max();
        Assert.True(diff.item<float>() > 1e-3f);
        // The replacement is what the next hook sees.
        float seen = float.NaN;
        using (_model.Hooks(("blocks.0.hook_mlp_out", (a, _) => zeros_like(a)),
                            ("blocks.0.hook_resid_post", (a, _) => { seen = 0; return null; })))
        {
            var (logits, cache) = _model.RunWithCache(tokens, n => n is "blocks.0.hook_mlp_out" or "blocks.0.hook_resid_post" or "blocks.0.hook_resid_mid");
            using (logits)
            using (cache)
            {
                Assert.Equal(0f, cache["blocks.0.hook_mlp_out"].abs().max().item<float>());
                HuggingFaceParityTests.AssertClose(cache["blocks.0.hook_resid_mid"], cache["blocks.0.hook_resid_post"], "resid_post = resid_mid + 0", 0);
            }
        }
        Assert.Equal(0, seen);
    }

    [Fact]
    public void Hooks_are_removed_when_the_scope_exits()
    {
        int calls = 0;
        using var tokens = _model.ToTokens("And God said");
        using (_model.Hooks(("blocks.1.attn.hook_pattern", (a, _) => { calls++; return null; })))
            _model.Forward(tokens).Dispose();
        _model.Forward(tokens).Dispose();
        Assert.Equal(1, calls);
        Assert.False(_model.GetHookPoint("blocks.1.attn.hook_pattern").HasHooks);
    }

    [Fact]
    public void Hooks_are_removed_when_the_forward_throws()
    {
        using var tokens = _model.ToTokens("And God said");
        Assert.Throws<InvalidOperationException>(() =>
            _model.RunWithHooks(tokens, ("blocks.0.hook_resid_pre", (a, _) => throw new InvalidOperationException("boom"))));
        Assert.All(_model.HookNames, n => Assert.False(_model.GetHookPoint(n).HasHooks, n));
        void UserCodeFails()
        {
            using (_model.Hooks(("hook_embed", (a, _) => null)))
                throw new InvalidOperationException("user code failed");
        }
        Assert.Throws<InvalidOperationException>(UserCodeFails);
        Assert.False(_model.GetHookPoint("hook_embed").HasHooks);
    }

    [Fact]
    public void A_hook_returning_the_wrong_shape_is_refused_with_the_shapes_named()
    {
        using var tokens = _model.ToTokens("And God said");
        var e = Assert.Throws<InvalidOperationException>(() =>
            _model.RunWithHooks(tokens, ("blocks.0.hook_resid_pre", (a, _) => zeros(1, 2, 3))).Dispose());
        Assert.Contains("blocks.0.hook_resid_pre", e.Message);
        Assert.Contains("[1, 2, 3]", e.Message);
    }

    [Fact]
    public void An_unknown_hook_name_suggests_the_nearest_names()
    {
        var e = Assert.Throws<ArgumentException>(() => _model.Hooks(("blocks.0.attn.hook_patern", (a, _) => null)));
        Assert.Contains("'blocks.0.attn.hook_pattern'", e.Message);
        Assert.Contains("is not a hook point", e.Message);
    }

    [Fact]
    public void A_layer_out_of_range_says_how_many_layers_exist()
    {
        var e = Assert.Throws<ArgumentException>(() => _model.Hooks(("blocks.7.hook_resid_pre", (a, _) => null)));
        Assert.Contains("layer 7", e.Message);
        Assert.Contains("2 layers", e.Message);
        using var tokens = _model.ToTokens("And");
        var (logits, cache) = _model.RunWithCache(tokens);
        using (logits)
        using (cache)
        {
            var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => cache["pattern", 9]);
            Assert.Contains("layer 9 does not exist: the model has 2 layers", e2.Message);
        }
    }

    [Fact]
    public void The_cache_holds_only_what_the_filter_lets_through_and_says_so()
    {
        using var tokens = _model.ToTokens("And God said");
        var (logits, cache) = _model.RunWithCache(tokens, n => n.EndsWith("hook_z", StringComparison.Ordinal));
        using (logits)
        using (cache)
        {
            Assert.Equal(["blocks.0.attn.hook_z", "blocks.1.attn.hook_z"], cache.Keys.Order());
            var e = Assert.Throws<KeyNotFoundException>(() => cache["pattern", 0]);
            Assert.Contains("widen the namesFilter", e.Message);
        }
    }

    [Fact]
    public void A_prompt_longer_than_the_context_is_refused()
    {
        using var tokens = zeros(1, 257, ScalarType.Int64);
        var e = Assert.Throws<ArgumentException>(() => _model.Forward(tokens));
        Assert.Contains("257 tokens, longer than the model's context of 256 tokens", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => _model.ToTokens(string.Concat(Enumerable.Repeat(" God", 300))));
        Assert.Contains("longer than the model's context of 256 tokens", e2.Message);
    }

    [Fact]
    public void Token_ids_outside_the_vocabulary_are_refused()
    {
        using var tokens = tensor(new long[] { 1, 50257 }).unsqueeze(0);
        var e = Assert.Throws<ArgumentException>(() => _model.Forward(tokens));
        Assert.Contains("0..50256", e.Message);
    }

    [Fact]
    public void Asking_for_cuda_without_a_cuda_backend_names_what_to_install()
    {
        if (Devices.CudaAvailable) return; // the GPU path is exercised by the parity tests on such machines
        var e = Assert.Throws<InvalidOperationException>(() => Devices.Resolve("cuda"));
        Assert.Contains("no CUDA backend is present", e.Message);
        Assert.Contains(OperatingSystem.IsWindows() ? "TorchSharp-cuda-windows" : Devices.LibTorchVariable, e.Message);
        var bad = Assert.Throws<ArgumentException>(() => Devices.Resolve("tpu"));
        Assert.Contains("\"cpu\", \"cuda\"", bad.Message);
    }
}
