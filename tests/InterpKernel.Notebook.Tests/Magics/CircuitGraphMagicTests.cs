using InterpKernel.Analysis;
using InterpKernel.Notebook.Views;

namespace InterpKernel.Notebook.Tests.Magics;

/// <summary><c>#!circuit graph</c> over transcoders made from kjv-gpt2-2l's own MLPs.</summary>
public sealed class CircuitGraphMagicTests
{
    private const string Prompt = "And God said unto Moses";

    private static async Task<FakeKernelHost> HostWithTranscoders()
    {
        var host = await MagicModels.HostWithModel();
        var model = host.Variable<HookedTransformer>("model");
        using var tokens = model.ToTokens(Prompt);
        host.SetVariable("tc", new TranscoderSet(MlpTranscoders.Build(model, tokens, featuresPerPosition: 8)));
        return host;
    }

    [Fact]
    public async Task Circuit_graph_traces_the_prompt_prunes_within_the_budgets_and_draws_the_graph()
    {
        var host = await HostWithTranscoders();
        await host.Run($"#!circuit graph \"{Prompt}\" --transcoders tc --max-nodes 30 --max-edges 60");

        var graph = host.Variable<AttributionGraph>("graph");
        var pruning = host.Variable<AttributionPruning>("pruning");
        Assert.Equal(6, graph.EmbeddingCount); // BOS and five tokens
        Assert.InRange(pruning.NodeCount, graph.EmbeddingCount + graph.LogitCount, 30);
        Assert.InRange(pruning.EdgeCount, 1, 60);
        var view = host.Single<AttributionGraphView>();
        Assert.Equal(pruning.NodeCount, view.Nodes.Length);
        Assert.Equal(pruning.EdgeCount, view.EdgeCount);
        Assert.Contains(" Moses", view.PromptTokens);
        Assert.Contains($"kept {pruning.NodeCount} nodes and {pruning.EdgeCount} edges", host.OutText.ToString());
    }

    [Fact]
    public async Task Circuit_graph_requires_a_variable_holding_transcoders()
    {
        var host = await HostWithTranscoders();
        var missing = await host.Fails($"#!circuit graph \"{Prompt}\"");
        Assert.Contains("--transcoders", missing.Message);

        var wrong = await host.Fails($"#!circuit graph \"{Prompt}\" --transcoders model");
        Assert.Contains("no variable 'model' holds a TranscoderSet", wrong.Message);
        Assert.Contains("Variables holding one: tc", wrong.Message);

        var budget = await host.Fails($"#!circuit graph \"{Prompt}\" --transcoders tc --node-threshold 2");
        Assert.Contains("--node-threshold must be a fraction", budget.Message);
        Assert.Empty(host.Displays);
    }

    [Fact]
    public async Task The_circuit_help_lists_the_graph_subcommand()
    {
        var host = new FakeKernelHost();
        await host.Run("#!circuit --help");
        Assert.Contains("graph", host.OutText.ToString());
        host.NewCell();
        await host.Run("#!circuit graph --help");
        Assert.Contains("--transcoders", host.OutText.ToString());
        Assert.Contains("--max-nodes", host.OutText.ToString());
    }
}
