using InterpKernel.Notebook.Views;
using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Tests.Magics;

public sealed class RunMagicTests
{
    [Fact]
    public async Task Run_binds_logits_cache_and_tokens_and_shows_the_top_five_next_tokens()
    {
        var host = await MagicModels.HostWithModel();
        await host.Run("#!run \"In the beginning God created\"");

        var model = host.Variable<HookedTransformer>("model");
        var tokens = host.Variable<Tensor>("tokens");
        var logits = host.Variable<Tensor>("logits");
        var cache = host.Variable<ActivationCache>("cache");
        Assert.Equal(model.ToStrTokens("In the beginning God created"), model.ToStrTokens(tokens));
        Assert.Equal(new long[] { 1, tokens.shape[1], 50257 }, logits.shape);
        Assert.Equal(model.HookNames.Count, cache.Keys.Count);

        var view = host.Single<TopKTokensView>();
        Assert.Equal(model.ToStrTokens(tokens), view.Tokens);
        Assert.All(view.TopTokens, row => Assert.Equal(5, row.Length));
        long best = logits[0, -1].argmax().item<long>();
        Assert.Equal(model.ToStrTokens(torch.tensor(new[] { best }))[0], view.TopTokens[^1][0]);
        var expected = logits[0, -1].softmax(-1).max().item<float>();
        Assert.Equal(expected, view.Probabilities[^1][0], 4);
        Assert.True(view.Probabilities[^1].Zip(view.Probabilities[^1].Skip(1)).All(p => p.First >= p.Second));
    }

    [Fact]
    public async Task Run_with_names_caches_only_the_matching_hooks()
    {
        var host = await MagicModels.HostWithModel();
        await host.Run("#!run \"And God said\" --names hook_pattern");

        var cache = host.Variable<ActivationCache>("cache");
        Assert.Equal(["blocks.0.attn.hook_pattern", "blocks.1.attn.hook_pattern"], cache.Keys.Order().ToArray());
        Assert.Equal(new long[] { 1, 8, 4, 4 }, cache["pattern", 1].shape);
    }

    [Fact]
    public async Task Run_with_names_that_match_no_hook_says_what_names_look_like()
    {
        var host = await MagicModels.HostWithModel();
        var error = await host.Fails("#!run \"And God said\" --names hook_patern");
        Assert.Contains("no hook name of the model contains 'hook_patern'", error.Message);
        Assert.Contains("Usage:", error.Message);
        Assert.False(host.Variables.ContainsKey("cache"));
    }

    [Fact]
    public async Task Run_without_a_prompt_fails_with_the_usage()
    {
        var host = await MagicModels.HostWithModel();
        var error = await host.Fails("#!run");
        Assert.Contains("prompt", error.Message);
        Assert.Contains("Usage:", error.Message);
    }

    [Fact]
    public async Task Run_without_a_model_says_how_to_load_one()
    {
        var error = await new FakeKernelHost().Fails("#!run \"And God said\"");
        Assert.Contains("#!run needs a model: load one first, for example #!model load", error.Message);
    }

    [Fact]
    public async Task A_prompt_longer_than_the_context_is_refused()
    {
        var host = await MagicModels.HostWithModel();
        var prompt = string.Concat(Enumerable.Repeat(" and", 300));
        var error = await host.Fails($"#!run \"{prompt}\"");
        Assert.Contains("The prompt has 301 tokens, longer than the model's context of 256 tokens", error.Message);
        Assert.Contains("Usage:", error.Message);
    }

    [Fact]
    public async Task Run_uses_a_model_that_a_cell_bound_to_the_same_variable()
    {
        var host = await MagicModels.HostWithModel();
        var loaded = host.Variable<HookedTransformer>("model");
        using var other = HookedTransformer.FromPretrained(MagicModels.Kjv2l, new LoadOptions { ProcessWeights = false });
        host.SetVariable("model", other);
        await host.Run("#!run \"And God said\" --names hook_embed");

        Assert.Same(other, host.Variable<ActivationCache>("cache").Model);
        Assert.NotSame(loaded, other);
    }
}
