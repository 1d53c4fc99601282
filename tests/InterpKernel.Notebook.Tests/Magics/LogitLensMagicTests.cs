using InterpKernel.Analysis;
using InterpKernel.Notebook.Views;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Tests.Magics;

public sealed class LogitLensMagicTests
{
    private const string Prompt = "And Abraham said unto";

    [Fact]
    public async Task Logit_lens_shows_one_row_per_layer_and_its_last_row_is_the_model_prediction()
    {
        var host = await MagicModels.HostWithModel();
        await host.Run($"#!logit-lens \"{Prompt}\"");

        var result = host.Single<LogitLensResult>();
        Assert.Same(result, host.Variable<LogitLensResult>("lens"));
        var view = AnalysisViews.LogitLens(result);
        var model = host.Variable<HookedTransformer>("model");
        Assert.Equal(["0_pre", "1_pre", "final_post"], view.LayerLabels);
        Assert.Equal(model.ToStrTokens(Prompt), view.Tokens);

        using var logits = model.Forward(model.ToTokens(Prompt));
        var probs = logits[0].softmax(-1);
        for (int pos = 0; pos < view.Tokens.Length; pos++)
        {
            long best = probs[pos].argmax().item<long>();
            Assert.Equal(model.ToStrTokens(tensor(new[] { best }))[0], view.TopTokens[^1][pos]);
            Assert.Equal(probs[pos, best].item<float>(), view.Probabilities[^1][pos], 4);
        }

        // Without --answer the answer followed is the model's own prediction: rank 0 in the last row.
        Assert.Equal(view.TopTokens[^1][^1], result.Answer);
        Assert.Equal(0, view.AnswerRanks![^1][^1]);
    }

    [Fact]
    public async Task Logit_lens_with_an_answer_adds_the_answer_probability_per_layer()
    {
        var host = await MagicModels.HostWithModel();
        await host.Run($"#!logit-lens \"{Prompt}\" --answer \" Isaac\"");

        var view = AnalysisViews.LogitLens(host.Single<LogitLensResult>());
        Assert.Equal(["0_pre", "1_pre", "final_post"], view.LayerLabels);

        var model = host.Variable<HookedTransformer>("model");
        using var logits = model.Forward(model.ToTokens(Prompt));
        var expected = logits[0, -1].softmax(-1)[model.ToSingleToken(" Isaac")].item<float>();
        Assert.Equal(expected, view.AnswerProbabilities![^1][^1], 4);
    }

    [Fact]
    public async Task An_answer_of_several_tokens_is_refused()
    {
        var host = await MagicModels.HostWithModel();
        var error = await host.Fails($"#!logit-lens \"{Prompt}\" --answer \" Abrahamic covenant\"");
        Assert.Contains("Abrahamic covenant", error.Message);
        Assert.Contains("Usage:", error.Message);
        Assert.Empty(host.Displays);
    }
}
