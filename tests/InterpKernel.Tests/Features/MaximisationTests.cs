using InterpKernel.Analysis;
using Xunit;
using Xunit.Abstractions;

namespace InterpKernel.Tests.Features;

public class MaximisationTests(ITestOutputHelper output)
{
    const string Hook = "blocks.1.mlp.hook_post";
    const int Neuron = 7;

    static IEnumerable<string> Genesis() => File.ReadLines(Path.Combine(TestPaths.RepoRoot, "data", "text", "genesis.txt")).Take(150);

    [Fact]
    public void Greedy_coordinate_gradient_drives_a_neuron_far_above_random_prompts()
    {
        using var model = FeatureTestData.Model();
        var target = MaximisationTarget.Neuron(Hook, Neuron);
        var progress = new List<MaximisationProgress>();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var result = ActivationMaximiser.GreedyCoordinateGradient(model, target,
            new MaximisationOptions { Length = 6, Steps = 15, Candidates = 64, Seed = 1, ProgressEvery = 5 }, Genesis(), new Collector(progress, sw, output));
        output.WriteLine($"{sw.Elapsed.TotalSeconds:F1} s");
        output.WriteLine(result.ToString());
        var best = result.Best[0];
        Assert.Equal(7, best.Tokens.Count);
        Assert.Equal(3, progress.Count);
        Assert.True(best.Activation > result.RandomMax, $"optimum {best.Activation:F3} vs best random {result.RandomMax:F3}");
        Assert.True(best.Activation - result.RandomMean > 3 * Math.Abs(result.RandomMean) + 0.5,
            $"optimum {best.Activation:F3} vs random mean {result.RandomMean:F3}");
        // The reported activation is what a plain forward of those tokens gives.
        using var tokens = TorchSharp.torch.tensor(best.Tokens.Select(t => (long)t).ToArray()).unsqueeze(0);
        var (logits, cache) = model.RunWithCache(tokens, n => n == Hook);
        using (logits) using (cache) Assert.Equal(best.Activation, cache[Hook][0, -1, Neuron].item<float>(), 3);
        Assert.Equal(5, result.TextExamples.Count);
        output.WriteLine($"optimum / best text example: {best.Activation / result.TextExamples[0].Activation:F2}");
    }

    [Fact]
    public void A_continuous_search_over_embeddings_returns_real_tokens_above_random_prompts()
    {
        using var model = FeatureTestData.Model();
        var target = MaximisationTarget.Neuron(Hook, Neuron);
        var result = ActivationMaximiser.ContinuousEmbeddings(model, target, new MaximisationOptions { Length = 6, Steps = 60, LearningRate = 0.05, Seed = 2 });
        output.WriteLine(result.ToString());
        Assert.NotEmpty(result.Best);
        Assert.All(result.Best[0].Tokens, t => Assert.InRange(t, 0, model.Config.DVocab - 1));
        Assert.True(result.Best[0].Activation > result.RandomMean, $"projected optimum {result.Best[0].Activation:F3} vs random mean {result.RandomMean:F3}");
    }

    [Fact]
    public void Top_examples_of_a_text_are_sorted_and_point_at_their_tokens()
    {
        using var model = FeatureTestData.Model();
        var examples = ActivationMaximiser.TopExamples(model, MaximisationTarget.Neuron(Hook, Neuron), Genesis(), 4);
        Assert.Equal(4, examples.Count);
        Assert.True(examples.Zip(examples.Skip(1)).All(p => p.First.Activation >= p.Second.Activation));
        Assert.All(examples, e => Assert.EndsWith(e.Token.Trim(), e.Context.TrimEnd()));
    }

    sealed class Collector(List<MaximisationProgress> into, System.Diagnostics.Stopwatch? clock = null, ITestOutputHelper? log = null) : IProgress<MaximisationProgress>
    {
        public void Report(MaximisationProgress value)
        {
            into.Add(value);
            log?.WriteLine($"{clock?.Elapsed.TotalSeconds:F1} s: {value}");
        }
    }
}
