using InterpKernel.Analysis;
using InterpKernel.Notebook.Views;

namespace InterpKernel.Notebook.Tests;

[Collection("Browser")]
public class AttributionGraphBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task Clicking_a_node_lights_its_edges_and_shows_its_details_and_examples()
    {
        var sample = AttributionGraphViewTests.S;
        var feature = sample.Graph.Nodes.Select((n, i) => (n, i)).First(x => x.n.Kind == AttributionNodeKind.Feature && sample.Pruning.NodeMask[x.i]);
        var examples = new Dictionary<(int, int), IReadOnlyList<FeatureExample>>
        {
            [(feature.n.Layer, feature.n.Feature)] = [new FeatureExample(["In", " the", " beginning"], [0.1f, 2.5f, 0.4f])],
        };
        var view = new AttributionGraphView(sample.Graph, sample.Pruning, examples: examples);
        await using var page = await browser.OpenAsync(Html.Page(view.ToHtml("agb")));
        var p = page.Page;

        var logit = view.Nodes.First(n => n.Kind == AttributionNodeKind.Logit);
        await p.ClickAsync($"#agb-graph .ik-ag-node[data-node='{logit.Id}']");
        Assert.Equal(logit.Id, await p.GetAttributeAsync("#agb-root", "data-selected"));
        var lit = await p.EvalOnSelectorAllAsync<string[]>("#agb-graph .ik-ag-edge.ik-ag-lit", "els => els.map(e => e.dataset.source + '>' + e.dataset.target)");
        var expected = view.Edges.Where(e => view.Nodes[e.Source].Id == logit.Id || view.Nodes[e.Target].Id == logit.Id)
            .Select(e => view.Nodes[e.Source].Id + ">" + view.Nodes[e.Target].Id).ToHashSet();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, lit.ToHashSet());
        var details = await p.TextContentAsync("#agb-details");
        Assert.Contains("Logit", details);
        Assert.Contains($"Inputs ({expected.Count})", details);
        await page.ScreenshotAsync("attribution-graph-logit");

        var id = sample.Graph.NodeId(feature.i);
        await p.ClickAsync($"#agb-graph .ik-ag-node[data-node='{id}']");
        details = await p.TextContentAsync("#agb-details");
        Assert.Contains($"Feature {feature.n.Feature} of layer {feature.n.Layer}", details);
        Assert.Contains($"position {feature.n.Position}", details);
        Assert.Contains("activation", details);
        Assert.Contains("Top examples", details);
        Assert.Contains(" beginning", details);

        // Clicking the background clears the selection.
        await p.ClickAsync("#agb-graph", new() { Position = new() { X = 4, Y = 4 } });
        Assert.Equal("", await p.GetAttributeAsync("#agb-root", "data-selected") ?? "");
        page.AssertClean();
    }
}
