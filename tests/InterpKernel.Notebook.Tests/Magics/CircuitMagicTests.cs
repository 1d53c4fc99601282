using System.Text.Json;
using InterpKernel.Analysis;
using InterpKernel.Notebook.Views;

namespace InterpKernel.Notebook.Tests.Magics;

/// <summary><c>#!circuit</c> on kjv-gpt2-2l: the circuit, its faithfulness and its view with each node's top examples.</summary>
public sealed class CircuitMagicTests
{
    [Fact]
    public async Task Circuit_binds_the_graph_and_draws_it_with_examples_for_its_nodes()
    {
        var host = await MagicModels.HostWithModel();
        await host.Run("#!circuit --method eap --top 20 --batch 4");

        var graph = host.Variable<CircuitGraph>("circuit");
        var faithfulness = host.Variable<CircuitFaithfulness>("faithfulness");
        Assert.Equal(20, graph.CircuitEdgeCount);
        Assert.Equal(20, faithfulness.CircuitEdges);
        var view = host.Single<CircuitView>();
        Assert.Equal(20, view.Edges.Length);
        var drawn = graph.Nodes.Where(n => n.InCircuit && n.Kind is CircuitNodeKind.AttentionHead or CircuitNodeKind.Mlp).Select(n => n.Name).Order();
        Assert.Equal(drawn, view.Examples.Keys.Order());
        Assert.All(view.Examples.Values, list => Assert.Equal(5, list.Count));

        var doc = Html.Parse(view.ToHtml("cm"));
        Assert.Equal(20, doc.QuerySelectorAll("#cm-graph line.ik-ag-edge").Length);
        Assert.Equal(graph.Nodes.Count, doc.QuerySelectorAll("#cm-graph g.ik-ag-node").Length);
        using var config = JsonDocument.Parse(doc.QuerySelector("#cm-config")!.TextContent);
        var examples = config.RootElement.GetProperty("examples");
        foreach (var name in view.Examples.Keys)
            Assert.Equal(5, examples.GetProperty(name).GetArrayLength());
        Assert.NotNull(doc.QuerySelector("#cm-details"));
    }

    [Fact]
    public async Task One_sided_ACDC_keeps_no_more_edges_than_the_default_rule()
    {
        var host = await MagicModels.HostWithModel();
        await host.Run("#!circuit --method acdc --threshold 0.02 --seq-len 6 --batch 2");
        int twoSided = host.Variable<CircuitGraph>("circuit").CircuitEdgeCount;
        host.NewCell();
        await host.Run("#!circuit --method acdc --threshold 0.02 --seq-len 6 --batch 2 --one-sided");
        int oneSided = host.Variable<CircuitGraph>("circuit").CircuitEdgeCount;
        Assert.InRange(oneSided, 1, twoSided);
    }

    [Fact]
    public async Task A_missing_examples_file_is_refused_before_any_work()
    {
        var host = await MagicModels.HostWithModel();
        var error = await host.Fails("#!circuit --examples no-such-file.txt");
        Assert.Contains("the examples file 'no-such-file.txt' does not exist", error.Message);
        Assert.Empty(host.Displays);
    }
}
