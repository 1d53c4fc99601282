using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Batching;

/// <summary>A GPT-2 model (learned positions) and a Llama model (rotary positions), loaded once.</summary>
public sealed class PaddingModels : IDisposable
{
    /// <summary>The embedded two-layer GPT-2 model.</summary>
    public HookedTransformer Gpt2 { get; } = HookedTransformer.FromPretrained(TestPaths.Models("kjv-gpt2-2l"));

    /// <summary>The tiny random Llama checkpoint (rotary, grouped-query attention).</summary>
    public HookedTransformer Llama { get; } = HookedTransformer.FromPretrained(TestPaths.Fixture("hf-reference/tiny-llama"), "cpu", null, processWeights: false);

    /// <summary>The model called <paramref name="name"/>.</summary>
    public HookedTransformer Get(string name) => name == "gpt2" ? Gpt2 : Llama;

    /// <summary>Prompts of 5, 11 and 17 tokens for <paramref name="model"/>, the longest in the middle so every row pads.</summary>
    public static int[][] Prompts(HookedTransformer model)
    {
        var rng = new Random(17);
        int vocab = Math.Min(model.Config.DVocab, 5000);
        return new[] { 11, 5, 17 }.Select(n => Enumerable.Range(0, n).Select(_ => 1 + rng.Next(vocab - 1)).ToArray()).ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Gpt2.Dispose();
        Llama.Dispose();
    }
}

public class PaddedBatchTests(PaddingModels models) : IClassFixture<PaddingModels>
{
    public static TheoryData<string, PaddingSide> Cases => new()
    {
        { "gpt2", PaddingSide.Left }, { "gpt2", PaddingSide.Right }, { "llama", PaddingSide.Left }, { "llama", PaddingSide.Right },
    };

    static Tensor Alone(HookedTransformer model, int[] ids) =>
        tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length], ScalarType.Int64);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_real_token_of_a_padded_batch_has_the_logits_of_its_prompt_alone(string name, PaddingSide side)
    {
        var model = models.Get(name);
        var prompts = PaddingModels.Prompts(model);
        using var batch = TokenBatch.FromIds(prompts, model.PadTokenId, side);
        using var logits = model.Forward(batch);
        using var last = batch.LastRealToken(logits);
        for (int r = 0; r < prompts.Length; r++)
        {
            using var scope = NewDisposeScope();
            var alone = model.Forward(Alone(model, prompts[r]))[0]; // [pos, d_vocab]
            float lastDiff = (last[r] - alone[-1]).abs().max().item<float>();
            Assert.True(lastDiff <= 1e-4f, $"{name} {side} row {r} ({prompts[r].Length} tokens): last-token logits differ by {lastDiff}");
            var real = logits[r].narrow(0, batch.FirstIndex(r), prompts[r].Length);
            float allDiff = (real - alone).abs().max().item<float>();
            Assert.True(allDiff <= 1e-4f, $"{name} {side} row {r}: logits at real tokens differ by {allDiff}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Batched_greedy_generation_equals_generating_each_prompt_alone(string name, PaddingSide side)
    {
        var model = models.Get(name);
        var prompts = PaddingModels.Prompts(model);
        var options = new GenerationOptions { MaxNewTokens = 8 };
        using var batch = TokenBatch.FromIds(prompts, model.PadTokenId, side);
        using var output = model.Generate(batch, options);
        Assert.Equal(side, output.Padding);
        for (int r = 0; r < prompts.Length; r++)
        {
            using var alone = Alone(model, prompts[r]);
            using var one = model.Generate(alone, options);
            Assert.Equal(one[0].data<long>().Select(v => (int)v).ToArray(), output.Ids(r));
        }
    }

    [Fact]
    public void Batched_generation_without_the_key_value_cache_equals_with_it()
    {
        var model = models.Llama;
        using var batch = TokenBatch.FromIds(PaddingModels.Prompts(model), model.PadTokenId, PaddingSide.Left);
        using var cached = model.Generate(batch, new GenerationOptions { MaxNewTokens = 6 });
        using var rerun = model.Generate(batch, new GenerationOptions { MaxNewTokens = 6, UseKeyValueCache = false });
        for (int r = 0; r < batch.Count; r++) Assert.Equal(rerun.Ids(r), cached.Ids(r));
    }

    [Theory]
    [InlineData("gpt2")]
    [InlineData("llama")]
    public void Pads_receive_no_attention_and_the_cache_keeps_the_mask_shape(string name)
    {
        var model = models.Get(name);
        using var batch = TokenBatch.FromIds(PaddingModels.Prompts(model), model.PadTokenId, PaddingSide.Left);
        var (logits, cache) = model.RunWithCache(batch, n => n.EndsWith("hook_pattern", StringComparison.Ordinal));
        using (logits)
        using (cache)
        {
            using var pads = batch.AttentionMask.eq(0); // [batch, key_pos]
            for (int l = 0; l < model.Config.NLayers; l++)
            {
                var pattern = cache["pattern", l]; // [batch, head_index, query_pos, key_pos]
                using var onPads = pattern.masked_select(pads.unsqueeze(1).unsqueeze(1).expand_as(pattern).logical_and(
                    batch.AttentionMask.ne(0).unsqueeze(1).unsqueeze(3).expand_as(pattern)));
                Assert.True(onPads.numel() > 0);
                Assert.Equal(0f, onPads.abs().max().item<float>());
            }
        }
    }

    [Fact]
    public void Texts_pad_on_the_side_asked_and_read_back_without_pads()
    {
        var model = models.Gpt2;
        string[] texts = ["In the beginning God created the heaven and the earth.", "And God said"];
        using var right = model.ToTokens(texts);
        using var left = model.ToTokens(texts, PaddingSide.Left);
        Assert.Equal(new long[] { 2, right.Width }, right.Tokens.shape);
        Assert.Equal(PaddingSide.Right, right.Padding);
        Assert.Equal(new[] { right.Width, 4 }, right.Lengths);
        Assert.Equal(Enumerable.Range(0, right.Width).Select(p => p < 4 ? 1L : 0L), right.AttentionMask[1].data<long>().ToArray());
        Assert.Equal(0L, left.AttentionMask[1, 0].item<long>());
        Assert.Equal(1L, left.AttentionMask[1, -1].item<long>());
        var str = model.ToStrTokens(left);
        Assert.Equal(model.ToStrTokens(texts[1]), str[1]);
        Assert.Equal(model.ToStrTokens(texts[0]), str[0]);
        Assert.Equal(right.Ids(1), left.Ids(1));
    }

    [Fact]
    public void Padded_runs_leave_no_live_tensors_behind()
    {
        var model = models.Llama;
        using var batch = TokenBatch.FromIds(PaddingModels.Prompts(model), model.PadTokenId, PaddingSide.Left);
        model.Forward(batch).Dispose();
        model.Generate(batch, new GenerationOptions { MaxNewTokens = 2 }).Dispose();
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 5; i++)
        {
            model.Forward(batch).Dispose();
            model.Generate(batch, new GenerationOptions { MaxNewTokens = 3, Temperature = 1, TopK = 5, TopP = 0.9f, FrequencyPenalty = 0.5f, Seed = i, StopTokens = [3] }).Dispose();
            var (logits, cache) = model.RunWithCache(batch);
            logits.Dispose();
            cache.Dispose();
        }
        Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
