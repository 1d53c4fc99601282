using static TorchSharp.torch;

namespace InterpKernel.Notebook.Tests.Magics;

public sealed class SteerMagicTests
{
    private const string Hook = "blocks.1.hook_resid_pre";

    [Fact]
    public async Task Steering_adds_the_scaled_direction_for_the_rest_of_the_cell_only()
    {
        var host = await MagicModels.HostWithModel();
        var model = host.Variable<HookedTransformer>("model");
        using var direction = ones(128);
        host.SetVariable("dir", direction);
        using var tokens = model.ToTokens("And God said");
        var before = Resid(model, tokens);

        await host.Run($"#!steer --hook {Hook} --direction dir --coef 4");
        var steered = Resid(model, tokens);
        Assert.Equal(4f, (steered - before).mean().item<float>(), 4);
        Assert.Equal(0f, (steered - before).std().item<float>(), 4);

        host.NewCell();
        var after = Resid(model, tokens);
        Assert.Equal(0f, (after - before).abs().max().item<float>(), 5);
        Assert.False(model.GetHookPoint(Hook).HasHooks);
        Assert.False(model.GetHookPoint("hook_embed").HasHooks);
    }

    [Fact]
    public async Task Persistent_steering_lasts_until_steer_clear()
    {
        var host = await MagicModels.HostWithModel();
        var model = host.Variable<HookedTransformer>("model");
        using var direction = ones(128);
        host.SetVariable("dir", direction);
        await host.Run($"#!steer --hook {Hook} --direction dir --coef 2 --persist");
        host.NewCell();
        await host.Run("#!hooks list");
        Assert.Contains($"steering: 2 × dir at {Hook}", host.OutText.ToString());
        Assert.Equal(1, model.GetHookPoint(Hook).HookCount);

        await host.Run("#!steer clear");
        Assert.Contains("Removed 1 steering hook(s).", host.OutText.ToString());
        Assert.False(model.GetHookPoint(Hook).HasHooks);
    }

    [Fact]
    public async Task An_unknown_direction_variable_is_named()
    {
        var host = await MagicModels.HostWithModel();
        var error = await host.Fails($"#!steer --hook {Hook} --direction refusal --coef 4");
        Assert.Contains("there is no variable 'refusal'", error.Message);
        Assert.Contains("Usage:", error.Message);
    }

    [Fact]
    public async Task A_direction_that_is_not_a_tensor_is_refused()
    {
        var host = await MagicModels.HostWithModel();
        host.SetVariable("dir", "up");
        var error = await host.Fails($"#!steer --hook {Hook} --direction dir");
        Assert.Contains("'dir' is a String, not a tensor", error.Message);
    }

    [Fact]
    public async Task An_unknown_hook_suggests_the_nearest_names()
    {
        var host = await MagicModels.HostWithModel();
        using var direction = ones(128);
        host.SetVariable("dir", direction);
        var error = await host.Fails("#!steer --hook blocks.1.hook_resid_pr --direction dir");
        Assert.Contains("blocks.1.hook_resid_pre", error.Message);
        Assert.Contains("Usage:", error.Message);
    }

    private static Tensor Resid(HookedTransformer model, Tensor tokens)
    {
        var (logits, cache) = model.RunWithCache(tokens, n => n == "blocks.1.hook_resid_post");
        using (logits)
        using (cache)
        {
            return cache["resid_post", 1].clone();
        }
    }
}
