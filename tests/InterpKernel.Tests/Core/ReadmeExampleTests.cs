using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Core;

/// <summary>The README's example, run as written, so the README stays true.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void The_readme_example_runs_and_predicts_Isaac()
    {
        using var model = HookedTransformer.FromPretrained(TestPaths.Models("kjv-gpt2-2l"));
        using var tokens = model.ToTokens("And Abraham said unto Isaac, Behold the fire. And Abraham said unto");
        Assert.Equal("<|endoftext|>|And| Abraham| said| unto| Isaac|,| Be|hold| the| fire|.| And| Abraham| said| unto",
            string.Join("|", model.ToStrTokens(tokens)));
        var (logits, cache) = model.RunWithCache(tokens);
        using (logits)
        using (cache)
        {
            Tensor pattern = cache["pattern", 1];
            Assert.Equal([1, 8, 16, 16], pattern.shape);
            Assert.Equal(" Isaac", model.ToStrTokens(logits[0, -1].argmax().unsqueeze(0))[0]);
        }
        using var ablated = model.RunWithHooks(tokens, ("blocks.1.attn.hook_z", (z, hook) =>
        {
            var copy = z.clone();
            copy[.., .., 3] = 0;
            return copy;
        }));
        Assert.Equal([1, 16, 50257], ablated.shape);
        Assert.StartsWith("And God said", model.Generate("And God said", maxNewTokens: 12));
    }

    [Fact]
    public void The_readme_batch_example_runs()
    {
        using var model = HookedTransformer.FromPretrained(TestPaths.Models("kjv-gpt2-2l"));
        using var tokens = model.ToTokens("And Abraham said unto Isaac, Behold the fire. And Abraham said unto");
        using var batch = model.ToTokens(["In the beginning God created", "And God said"], PaddingSide.Left);
        using var batchLogits = model.Forward(batch);
        using var lastLogits = batch.LastRealToken(batchLogits);
        Assert.Equal([2, 50257], lastLogits.shape);
        int steps = 0;
        using var continued = model.Generate(batch, new GenerationOptions
        {
            MaxNewTokens = 12, Temperature = 0.8f, TopK = 40, TopP = 0.9f, FrequencyPenalty = 0.3f, Seed = 1,
            StopTokens = [model.ToSingleToken(".")], OnTokens = ids => steps++,
        });
        string[][] rows = model.ToStrTokens(continued);
        Assert.Equal(2, rows.Length);
        Assert.True(steps >= 1);
        var (l2, partial) = model.RunWithCache(tokens, ["blocks.1.hook_resid_pre", "blocks.1.hook_resid_post"]);
        using (l2) using (partial)
        using (var resumed = model.Forward(partial["resid_pre", 1], startAtLayer: 1))
            Assert.True(resumed.allclose(l2, rtol: 1e-5, atol: 1e-5));
        using var perToken = model.Loss(tokens, perToken: true);
        Assert.Equal([1, tokens.shape[1] - 1], perToken.shape);
        Assert.Contains("rank", model.TestPrompt("And Abraham said unto", "Isaac").ToString());
        using var wq = model.W_Q;
        Assert.Equal([2, 8, 128, 16], wq.shape);
    }
}
