using InterpKernel.Analysis;
using Xunit;
using Xunit.Abstractions;

namespace InterpKernel.Tests.Circuits;

public sealed class PlantedCircuitTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(EdgeAttributionMethod.Eap)]
    [InlineData(EdgeAttributionMethod.EapIg)]
    public void Edge_attribution_scores_exactly_the_planted_edges(EdgeAttributionMethod method)
    {
        using var model = PlantedModel.Create();
        var (clean, corrupt, metric) = PlantedModel.Task();
        var graph = CircuitDiscovery.EdgeAttribution(model, clean, corrupt, metric, method);
        foreach (var e in graph.Ranked().Take(8)) output.WriteLine(e.ToString());
        var nonzero = graph.Edges.Where(e => Math.Abs(e.Score) > 1e-6).Select(e => e.Name).Order().ToArray();
        Assert.Equal(PlantedModel.Edges.Order().ToArray(), nonzero);
    }

    [Fact]
    public void Real_patching_and_ACDC_find_exactly_the_planted_edges()
    {
        using var model = PlantedModel.Create();
        var (clean, corrupt, metric) = PlantedModel.Task();
        var patched = CircuitEvaluation.PatchEdges(model, clean, corrupt, metric);
        var nonzero = patched.Edges.Where(e => Math.Abs(e.Score) > 1e-5).Select(e => e.Name).Order().ToArray();
        Assert.Equal(PlantedModel.Edges.Order().ToArray(), nonzero);

        var acdc = CircuitDiscovery.Acdc(model, clean, corrupt, metric, threshold: 1e-5);
        Assert.Equal(PlantedModel.Edges.Order().ToArray(), acdc.Edges.Where(e => e.InCircuit).Select(e => e.Name).Order().ToArray());
        var f = CircuitEvaluation.Faithfulness(model, acdc, clean, corrupt, metric);
        output.WriteLine(f.ToString());
        Assert.Equal(1.0, f.Recovered, 4);
    }
}
