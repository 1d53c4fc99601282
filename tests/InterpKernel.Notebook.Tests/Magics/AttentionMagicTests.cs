using InterpKernel.Notebook.Views;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Tests.Magics;

public sealed class AttentionMagicTests
{
    [Fact]
    public async Task Attention_shows_the_chosen_heads_of_a_layer_with_their_labels_and_weights()
    {
        var host = await MagicModels.HostWithModel();
        await host.Run("#!attention --layer 1 --heads 0,3 \"And God said, Let there be light\"");

        var view = host.Single<AttentionPatternView>();
        var model = host.Variable<HookedTransformer>("model");
        Assert.Equal(["L1H0", "L1H3"], view.HeadLabels);
        Assert.Equal(model.ToStrTokens("And God said, Let there be light"), view.Tokens);

        var (logits, cache) = model.RunWithCache(model.ToTokens("And God said, Let there be light"), n => n == "blocks.1.attn.hook_pattern");
        using (logits)
        using (cache)
        {
            var expected = cache["pattern", 1][0, 3];
            var n = view.Tokens.Length;
            for (int q = 0; q < n; q++)
            {
                for (int k = 0; k < n; k++) Assert.Equal(expected[q, k].item<float>(), view.Weight(1, q, k), 5);
            }
        }

        var pattern = host.Variable<Tensor>("pattern");
        Assert.Equal(new long[] { 2, view.Tokens.Length, view.Tokens.Length }, pattern.shape);
    }

    [Fact]
    public async Task Attention_without_a_prompt_reuses_the_last_run()
    {
        var host = await MagicModels.HostWithModel();
        await host.Run("#!run \"In the beginning\" --names hook_embed");
        host.Displays.Clear();
        await host.Run("#!attention");

        var view = host.Single<AttentionPatternView>();
        Assert.Equal(["<|endoftext|>", "In", " the", " beginning"], view.Tokens);
        Assert.Equal(8, view.Heads);
        Assert.Equal("L0H7", view.HeadLabels[7]);
        for (int q = 0; q < 4; q++) Assert.Equal(1f, Enumerable.Range(0, 4).Sum(k => view.Weight(2, q, k)), 4);
    }

    [Fact]
    public async Task Attention_without_a_prompt_or_an_earlier_run_asks_for_one()
    {
        var host = await MagicModels.HostWithModel();
        var error = await host.Fails("#!attention --layer 1");
        Assert.Contains("no prompt was given and there is no earlier #!run to reuse", error.Message);
    }

    [Fact]
    public async Task A_layer_out_of_range_names_the_layers_there_are()
    {
        var host = await MagicModels.HostWithModel();
        var error = await host.Fails("#!attention --layer 5 \"And God said\"");
        Assert.Contains("layer 5 does not exist: the model has 2 layers (0 to 1).", error.Message);
        Assert.Contains("Usage:", error.Message);
        Assert.Empty(host.Displays);
    }

    [Fact]
    public async Task A_head_out_of_range_or_not_a_number_is_refused()
    {
        var host = await MagicModels.HostWithModel();
        var range = await host.Fails("#!attention --heads 0,8 \"And God said\"");
        Assert.Contains("head 8 does not exist: layer 0 has 8 heads (0 to 7).", range.Message);
        var text = await host.Fails("#!attention --heads 0,x \"And God said\"");
        Assert.Contains("--heads has 'x', which is not an integer", text.Message);
    }

    [Fact]
    public async Task A_layer_that_is_not_a_number_fails_to_parse()
    {
        var host = await MagicModels.HostWithModel();
        var error = await host.Fails("#!attention --layer one \"And God said\"");
        Assert.Contains("the arguments do not parse", error.Message);
        Assert.Contains("one", error.Message);
    }
}
