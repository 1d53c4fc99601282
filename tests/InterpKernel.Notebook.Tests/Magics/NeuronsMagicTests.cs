using InterpKernel.Analysis;
using InterpKernel.Notebook.Views;

namespace InterpKernel.Notebook.Tests.Magics;

public sealed class NeuronsMagicTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"neuron-prompts-{Guid.NewGuid():N}.txt");

    public NeuronsMagicTests()
    {
        File.WriteAllLines(_file, ["In the beginning God created the heaven and the earth.", "", "And God said, Let there be light: and there was light."]);
    }

    public void Dispose() => File.Delete(_file);

    [Fact]
    public async Task Neurons_ranks_a_layers_neurons_by_their_strongest_activation_with_examples()
    {
        var host = await MagicModels.HostWithModel();
        await host.Run($"#!neurons --layer 1 --top 4 --examples 2 --prompts \"{_file}\"");

        var table = host.Single<DataFrameView>();
        Assert.Equal(["neuron", "max", "mean", "frac > 0", "top tokens", "strongest example"], table.Columns);
        Assert.Equal(4, table.RowCount);
        var scans = host.Variable<ActivationScanResult[]>("neuronScans");
        Assert.Equal(4, scans.Length);
        var maxima = scans.Select(s => s.Statistics.Max).ToArray();
        Assert.Equal(maxima.OrderByDescending(m => m), maxima);
        Assert.All(scans, s => Assert.Equal(2, s.TopExamples.Count));
        Assert.All(scans, s => Assert.Equal((float)s.Statistics.Max, s.TopExamples[0].Activation, 4));

        var model = host.Variable<HookedTransformer>("model");
        var neuron = int.Parse(table.Rows[0][0]!, System.Globalization.CultureInfo.InvariantCulture);
        var (logits, cache) = model.RunWithCache(model.ToTokens("In the beginning God created the heaven and the earth."), n => n == "blocks.1.mlp.hook_post");
        using (logits)
        using (cache)
        {
            var first = cache["post", 1][0, 1.., neuron].max().item<float>();
            Assert.True(first <= scans[0].Statistics.Max + 1e-4);
        }
    }

    [Fact]
    public async Task A_missing_prompts_file_is_named()
    {
        var host = await MagicModels.HostWithModel();
        var error = await host.Fails("#!neurons --layer 0 --prompts no-such-prompts.txt");
        Assert.Contains("the prompts file 'no-such-prompts.txt' does not exist", error.Message);
    }

    [Fact]
    public async Task Neurons_needs_a_layer_in_range()
    {
        var host = await MagicModels.HostWithModel();
        var error = await host.Fails($"#!neurons --layer 2 --prompts \"{_file}\"");
        Assert.Contains("layer 2 does not exist: the model has 2 layers (0 to 1).", error.Message);
        var missing = await host.Fails($"#!neurons --prompts \"{_file}\"");
        Assert.Contains("--layer", missing.Message);
    }
}
