using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Core;

public class LifetimeAndGenerationTests(Gpt2Fixture fixture) : IClassFixture<Gpt2Fixture>
{
    readonly HookedTransformer _model = fixture.Model;

    [Fact]
    public void A_thousand_forwards_leave_no_live_tensors_behind()
    {
        using var tokens = _model.ToTokens("And God said, Let there be light: and there was light.");
        _model.Forward(tokens).Dispose(); // warm-up allocations that live as long as the model
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 1000; i++)
            _model.Forward(tokens).Dispose();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Tokenising_caching_and_generating_leave_no_live_tensors_behind()
    {
        using var tokens = _model.ToTokens("And God said");
        _model.Generate(tokens, 2).Dispose();
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 20; i++)
        {
            var (logits, cache) = _model.RunWithCache(tokens);
            logits.Dispose();
            cache.Dispose();
            _model.Generate(tokens, 5, temperature: 1f, seed: i).Dispose();
            _model.ToTokens("And God said").Dispose();
            _model.ToTokens(["And God said", "Let there be light"]).Dispose();
        }
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Greedy_generation_with_the_key_value_cache_equals_rerunning_the_prompt()
    {
        using var tokens = _model.ToTokens("And Abraham said unto Isaac,");
        using var cached = _model.Generate(tokens, 12);
        using var rerun = _model.Generate(tokens, 12, 0f, null, stopAtEos: false, useKeyValueCache: false);
        Assert.Equal(tokens.shape[1] + 12, cached.shape[1]);
        Assert.Equal(rerun.data<long>().ToArray(), cached.data<long>().ToArray());
        // The prompt comes first, unchanged.
        Assert.Equal(tokens.data<long>().ToArray(), cached[.., ..(int)tokens.shape[1]].data<long>().ToArray());
    }

    [Fact]
    public void Greedy_generation_picks_the_argmax_of_a_plain_forward_at_every_step()
    {
        using var tokens = _model.ToTokens("In the beginning God");
        using var output = _model.Generate(tokens, 6);
        using var logits = _model.Forward(output);
        long p = tokens.shape[1];
        for (long i = p; i < output.shape[1]; i++)
            Assert.Equal(output[0, i].item<long>(), logits[0, i - 1].argmax().item<long>());
    }

    [Fact]
    public void Sampling_is_reproducible_with_a_seed()
    {
        using var tokens = _model.ToTokens("And God said");
        using var a = _model.Generate(tokens, 10, temperature: 1.0f, seed: 7);
        using var b = _model.Generate(tokens, 10, temperature: 1.0f, seed: 7);
        Assert.Equal(a.data<long>().ToArray(), b.data<long>().ToArray());
    }

    [Fact]
    public void The_device_independent_draw_matches_a_cpu_multinomial_with_the_same_seed()
    {
        using var scope = NewDisposeScope();
        var probs = rand(4, 50).softmax(-1); // [batch, d_vocab]
        using var g1 = new Generator(11);
        using var g2 = new Generator(11);
        var drawn = HookedTransformer.DrawOnCpu(probs, g1);
        var expected = multinomial(probs, 1, generator: g2).squeeze(-1);
        Assert.Equal(probs.device_type, drawn.device_type);
        Assert.Equal(expected.data<long>().ToArray(), drawn.data<long>().ToArray());
    }

    [Fact]
    public void Seeded_sampling_draws_the_same_tokens_on_every_call()
    {
        using var tokens = _model.ToTokens("And God said");
        using var a = _model.Generate(tokens, 8, temperature: 1.5f, seed: 3);
        using var b = _model.Generate(tokens, 8, temperature: 1.5f, seed: 3);
        Assert.Equal(a.data<long>().ToArray(), b.data<long>().ToArray());
        Assert.Equal(tokens.shape[1] + 8, a.shape[1]);
    }

    [Fact]
    public void Hooks_fire_during_generation()
    {
        int calls = 0;
        using var tokens = _model.ToTokens("And God said");
        using (_model.Hooks(("blocks.0.hook_resid_pre", (a, _) => { calls++; return null; })))
            _model.Generate(tokens, 5).Dispose();
        Assert.Equal(5, calls); // one forward per new token: the prompt once, then one position each
    }

    [Fact]
    public void Text_generation_returns_the_prompt_followed_by_the_continuation()
    {
        string text = _model.Generate("And God said", 8);
        Assert.StartsWith("And God said", text);
        Assert.True(text.Length > "And God said".Length);
    }

    [Fact]
    public void Generation_can_stop_at_the_end_of_text_token()
    {
        // A small random model whose unembedding can express any logits (d_model > d_vocab), so EOS can be forced.
        var config = new TransformerConfig
        {
            DModel = 32, NHeads = 4, DHead = 8, NLayers = 1, DMlp = 64, NCtx = 32, DVocab = 16, EosTokenId = 3,
        };
        using var model = HookedTransformer.FromConfig(config, seed: 1);
        using var tokens = tensor(new long[] { 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 1, 2, 4, 0, 5 }, [2, 8]);
        using var scope = NewDisposeScope();
        var target = full(config.DVocab, -30f);
        target[3] = 30f;
        var x = linalg.lstsq(model.W_U.t(), (target - model.Unembed.BU).unsqueeze(1)).Solution.squeeze(1);
        // Row 0 is forced to EOS from the second new token on; row 1 from the fourth.
        int step = 0;
        Tensor? Force(Tensor a, HookPoint _)
        {
            step++;
            var forced = a.clone();
            if (step >= 2) forced[0, -1] = x;
            if (step >= 4) forced[1, -1] = x;
            return forced;
        }
        using (model.Hooks(("ln_final.hook_normalized", Force)))
        {
            var output = model.Generate(tokens, 10, 0f, null, stopAtEos: true);
            Assert.Equal(8 + 4, output.shape[1]); // stops once every row has ended
            Assert.Equal(3, output[0, 9].item<long>());
            Assert.Equal(3, output[0, 11].item<long>()); // a finished row keeps emitting EOS
            Assert.Equal(3, output[1, 11].item<long>());
        }
        using var plain = model.Generate(tokens, 10);
        Assert.Equal(18, plain.shape[1]); // without stopAtEos the full budget is used
    }
}
