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
}
