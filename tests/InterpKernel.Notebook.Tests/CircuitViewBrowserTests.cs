using InterpKernel.Analysis;
using InterpKernel.Notebook.Tests.Magics;
using InterpKernel.Notebook.Views;

namespace InterpKernel.Notebook.Tests;

[Collection("Browser")]
public class CircuitViewBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task Clicking_a_node_lights_its_edges_and_shows_its_top_examples()
    {
        CircuitView view;
        using (var model = HookedTransformer.FromPretrained(MagicModels.Kjv2l))
        {
            var graph = CircuitGraph.For(model);
            foreach (var e in graph.Edges) e.Score = 0;
            graph["a0.h4->a1.h1<k>"].Score = 0.9;
            graph["a0.h4->a1.h3<k>"].Score = 0.6;
            graph["a1.h1->logits"].Score = 1.2;
            graph["m0->a1.h1<q>"].Score = -0.3;
            graph.Top(4);
            var examples = CircuitNodeExamples.Collect(model, graph, TokenSource.FromPrompts(model, AnalysisSamples.Scripture), k: 2);
            view = new CircuitView(graph, examples: examples);
        }
        await using var page = await browser.OpenAsync(Html.Page(view.ToHtml("cvb")));
        var p = page.Page;

        await p.ClickAsync("#cvb-graph .ik-ag-node[data-node='a1.h1']");
        Assert.Equal("a1.h1", await p.GetAttributeAsync("#cvb-root", "data-selected"));
        var lit = await p.EvalOnSelectorAllAsync<string[]>("#cvb-graph .ik-ag-edge.ik-ag-lit", "els => els.map(e => e.dataset.edge)");
        Assert.Equal(new HashSet<string> { "a0.h4->a1.h1<k>", "a1.h1->logits", "m0->a1.h1<q>" }, lit.ToHashSet());
        var details = await p.TextContentAsync("#cvb-details");
        Assert.Contains("a1.h1 (attention head)", details);
        Assert.Contains("Inputs (2)", details);
        Assert.Contains("Outputs (1)", details);
        Assert.Contains("a1.h1->logits", details);
        Assert.Contains("Top examples", details);
        var word = view.Examples["a1.h1"][0].Tokens.Select(t => t.Trim()).First(t => t.Length > 1 && t.All(char.IsLetter));
        Assert.Contains(word, details);
        await page.ScreenshotAsync("circuit-node-examples");

        await p.ClickAsync("#cvb-graph .ik-ag-node[data-node='input']");
        details = await p.TextContentAsync("#cvb-details");
        Assert.Contains("input (token and position embeddings)", details);
        Assert.DoesNotContain("Top examples", details);

        await p.ClickAsync("#cvb-graph", new() { Position = new() { X = 4, Y = 4 } });
        Assert.Equal("", await p.GetAttributeAsync("#cvb-root", "data-selected") ?? "");
        page.AssertClean();
    }
}
