using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Core;

public sealed class ActivationCaptureTests(Gpt2Fixture fixture) : IClassFixture<Gpt2Fixture>
{
    [Fact]
    public void One_hook_read_several_ways_in_one_pass_gives_each_reading_its_own_tensor()
    {
        var model = fixture.Model;
        using var tokens = tensor(new long[] { 50256, 400, 401, 402 }).unsqueeze(0);
        const string Post = "blocks.1.mlp.hook_post";
        var got = ActivationCapture.Run(model, tokens, [Post, Post, "blocks.0.hook_resid_post"], (i, a) => i == 1 ? a[.., .., 7] : a);
        try
        {
            var (_, cache) = model.RunWithCache(tokens);
            using (cache)
            {
                Assert.True(got[0].allclose(cache[Post], rtol: 1e-4, atol: 1e-5));
                Assert.True(got[1].allclose(cache[Post][.., .., 7], rtol: 1e-4, atol: 1e-5));
                Assert.True(got[2].allclose(cache["blocks.0.hook_resid_post"], rtol: 1e-4, atol: 1e-5));
            }
        }
        finally
        {
            foreach (var t in got) t.Dispose();
        }
    }

    [Fact]
    public void A_store_keyed_by_hook_name_refuses_a_name_twice()
    {
        using var tokens = tensor(new long[] { 50256, 400 }).unsqueeze(0);
        Assert.Throws<ArgumentException>(() => ActivationCapture.Capture(fixture.Model, tokens, ["hook_embed", "hook_embed"]));
    }
}
