using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Core;

public class EverydaySurfaceTests(Gpt2Fixture fixture) : IClassFixture<Gpt2Fixture>
{
    readonly HookedTransformer _model = fixture.Model;

    [Fact]
    public void Names_filters_take_a_name_a_list_or_a_predicate()
    {
        using var tokens = _model.ToTokens("And God said");
        var (l1, one) = _model.RunWithCache(tokens, "blocks.0.attn.hook_pattern");
        var (l2, two) = _model.RunWithCache(tokens, ["blocks.0.hook_resid_post", "blocks.1.hook_resid_post"]);
        var (l3, pred) = _model.RunWithCache(tokens, n => n.EndsWith("hook_z", StringComparison.Ordinal));
        using (l1) using (one) using (l2) using (two) using (l3) using (pred)
        {
            Assert.Equal(["blocks.0.attn.hook_pattern"], one.Keys);
            Assert.Equal(2, two.Keys.Count);
            Assert.Equal(2, pred.Keys.Count);
        }
        Assert.Throws<ArgumentException>(() => _model.RunWithCache(tokens, "blocks.0.attn.hook_patern"));
    }

    [Fact]
    public void Starting_at_a_layer_from_its_cached_residual_stream_gives_the_same_logits()
    {
        using var scope = NewDisposeScope();
        var tokens = _model.ToTokens("In the beginning God created the heaven");
        var (logits, cache) = _model.RunWithCache(tokens);
        using (cache)
        {
            var resumed = _model.Forward(cache["resid_pre", 1], startAtLayer: 1);
            Assert.True(resumed.allclose(logits, rtol: 1e-5, atol: 1e-5));
            var middle = _model.Forward(cache["resid_pre", 0], startAtLayer: 0, stopAtLayer: 1);
            Assert.True(middle.allclose(cache["resid_pre", 1], rtol: 1e-5, atol: 1e-5));
            var (fromCache, partial) = _model.RunWithCache(cache["resid_pre", 1], namesFilter: null, startAtLayer: 1);
            using (partial)
            {
                Assert.DoesNotContain("blocks.0.hook_resid_post", partial.Keys);
                Assert.True(partial["resid_post", 1].allclose(cache["resid_post", 1], rtol: 1e-5, atol: 1e-5));
            }
            int fired = 0;
            _model.RunWithHooks(cache["resid_pre", 1], 1, null, ("blocks.1.hook_resid_pre", (a, _) => { fired++; return null; }));
            Assert.Equal(1, fired);
            Assert.Throws<ArgumentOutOfRangeException>(() => _model.Forward(cache["resid_pre", 1], startAtLayer: 3));
            Assert.Throws<ArgumentException>(() => _model.Forward(tokens, startAtLayer: 1));
        }
    }

    [Fact]
    public void Stacked_activations_weights_and_a_batch_of_one_without_its_axis()
    {
        using var scope = NewDisposeScope();
        var c = _model.Config;
        var tokens = _model.ToTokens("And God said");
        var (_, cache) = _model.RunWithCache(tokens);
        var patterns = cache.StackActivation("pattern");
        Assert.Equal(new long[] { c.NLayers, 1, c.NHeads, tokens.shape[1], tokens.shape[1] }, patterns.shape);
        Assert.True(patterns[1].eq(cache["pattern", 1]).all().item<bool>());
        var single = cache.RemoveBatchDim();
        Assert.Empty(cache.Keys);
        Assert.Equal(new long[] { c.NHeads, tokens.shape[1], tokens.shape[1] }, single["pattern", 0].shape);
        single.Dispose();
        cache.Dispose();
        Assert.Equal(new long[] { c.NLayers, c.NHeads, c.DModel, c.DHead }, _model.W_Q.shape);
        Assert.True(_model.W_O[1].eq(_model.Blocks[1].Attn.WO).all().item<bool>());
        Assert.Equal(new long[] { c.NLayers, c.DModel, c.DMlp }, _model.W_in.shape);
        Assert.Equal(new long[] { c.NLayers, c.DMlp, c.DModel }, _model.W_out.shape);
    }

    [Fact]
    public void Residual_directions_loss_and_test_prompt_agree_with_the_logits()
    {
        using var scope = NewDisposeScope();
        int isaac = _model.ToSingleToken(" Isaac");
        var dir = _model.TokensToResidualDirections(" Isaac");
        Assert.True(dir.eq(_model.W_U[.., isaac]).all().item<bool>());
        Assert.Equal(new long[] { 2, _model.Config.DModel }, _model.TokensToResidualDirections(isaac, 3).shape);
        var tokens = _model.ToTokens("And Abraham said unto Isaac his son");
        var perToken = _model.Loss(tokens, perToken: true);
        Assert.Equal(new long[] { 1, tokens.shape[1] - 1 }, perToken.shape);
        Assert.Equal(perToken.mean().item<float>(), _model.Loss(tokens).item<float>(), 5);
        var test = _model.TestPrompt("And Abraham said unto", "Isaac");
        var logits = _model.Forward(_model.ToTokens("And Abraham said unto"))[0, -1];
        Assert.Equal((int)logits.gt(logits[isaac]).sum().item<long>(), test.Answer[0].Rank);
        Assert.Equal(logits.softmax(-1)[isaac].item<float>(), test.Answer[0].Probability, 5);
        Assert.Equal(10, test.Answer[0].Top.Count);
        Assert.Contains("Answer ' Isaac': rank", test.ToString());
    }

    [Fact]
    public void A_padded_batch_loss_counts_real_predictions_only()
    {
        using var scope = NewDisposeScope();
        string[] texts = ["And Abraham said unto Isaac his son", "And God said"];
        using var batch = _model.ToTokens(texts, PaddingSide.Left);
        var perToken = _model.Loss(batch, perToken: true);
        var alone = _model.Loss(_model.ToTokens(texts[1]), perToken: true)[0];
        int n = (int)alone.shape[0];
        Assert.True(perToken[1].narrow(0, perToken.shape[1] - n, n).allclose(alone, rtol: 1e-4, atol: 1e-4));
        Assert.Equal(0f, perToken[1, 0].item<float>());
    }

    [Fact]
    public void Hook_result_can_be_switched_on_when_loading()
    {
        using var model = HookedTransformer.FromPretrained(TestPaths.Models("kjv-gpt2-2l"), new LoadOptions { UseAttnResult = true });
        Assert.Contains("blocks.0.attn.hook_result", model.HookNames);
        Assert.DoesNotContain("blocks.0.attn.hook_result", _model.HookNames);
    }

    [Fact]
    public void Sampling_options_shape_what_generation_may_pick()
    {
        using var scope = NewDisposeScope();
        var tokens = _model.ToTokens("And God said");
        var greedy = _model.Generate(tokens, new GenerationOptions { MaxNewTokens = 1 });
        // Top-k 1 is greedy at any temperature; top-p near 0 keeps only the most likely token.
        var topK = _model.Generate(tokens, new GenerationOptions { MaxNewTokens = 1, Temperature = 5, TopK = 1, Seed = 3 });
        var topP = _model.Generate(tokens, new GenerationOptions { MaxNewTokens = 1, Temperature = 5, TopP = 1e-6f, Seed = 3 });
        Assert.True(greedy.eq(topK).all().item<bool>());
        Assert.True(greedy.eq(topP).all().item<bool>());
        // A huge frequency penalty forbids every token already in the row.
        var seen = tokens[0].data<long>().ToHashSet();
        var penalised = _model.Generate(tokens, new GenerationOptions { MaxNewTokens = 6, FrequencyPenalty = 1e4f });
        var added = penalised[0].data<long>().Skip((int)tokens.shape[1]).ToList();
        Assert.Equal(added.Count, added.Distinct().Count());
        Assert.DoesNotContain(added, seen.Contains);
        // Stop tokens end the row; the callback streams each step.
        long first = greedy[0, -1].item<long>();
        var streamed = new List<int>();
        var stopped = _model.Generate(tokens, new GenerationOptions { MaxNewTokens = 5, StopTokens = [(int)first], OnTokens = ids => streamed.Add(ids[0]) });
        Assert.Equal([(int)first], streamed);
        Assert.Equal(tokens.shape[1] + 1, stopped.shape[1]);
        var pieces = new List<string>();
        string text = _model.Generate("And God said", new GenerationOptions { MaxNewTokens = 5 }, pieces.Add);
        Assert.Equal(text, "And God said" + string.Concat(pieces));
        Assert.Equal(_model.Generate("And God said", 5), text);
    }
}
