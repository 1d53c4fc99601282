using System.Xml.Linq;
using InterpKernel.Analysis;
using InterpKernel.Notebook.Formatting;
using InterpKernel.Notebook.Tests.Magics;
using InterpKernel.Notebook.Views;
using Microsoft.DotNet.Interactive.Formatting;

namespace InterpKernel.Notebook.Tests;

/// <summary>An attribution graph of kjv-gpt2-2l over transcoders made from its own MLPs, drawn as its view.</summary>
[Collection("Formatter")]
public class AttributionGraphViewTests
{
    internal sealed class Sample
    {
        public const string Prompt = "And God said unto Moses, I AM";

        public Sample()
        {
            using var model = HookedTransformer.FromPretrained(MagicModels.Kjv2l);
            using var tokens = model.ToTokens(Prompt);
            var saes = MlpTranscoders.Build(model, tokens, featuresPerPosition: 8);
            try
            {
                Graph = AttributionGraph.Compute(model, new TranscoderSet(saes), tokens);
            }
            finally
            {
                foreach (var sae in saes) sae.Dispose();
            }
            Pruning = Graph.Prune(0.8, 0.95, maxNodes: 40);
            using var shorter = model.ToTokens("And God");
            var small = MlpTranscoders.Build(model, shorter, featuresPerPosition: 2);
            try
            {
                OtherPruning = AttributionGraph.Compute(model, new TranscoderSet(small), shorter).Prune();
            }
            finally
            {
                foreach (var sae in small) sae.Dispose();
            }
        }

        public AttributionPruning OtherPruning { get; }

        public AttributionGraph Graph { get; }
        public AttributionPruning Pruning { get; }
    }

    private static readonly Lazy<Sample> Shared = new(() => new Sample());

    internal static Sample S => Shared.Value;

    private static double Number(string text) => double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    private static (double X, double Y) Centre(AngleSharp.Dom.IElement node)
    {
        var shape = node.QuerySelector("circle, rect")!;
        return shape.LocalName == "circle"
            ? (Number(shape.GetAttribute("cx")!), Number(shape.GetAttribute("cy")!))
            : (Number(shape.GetAttribute("x")!) + Number(shape.GetAttribute("width")!) / 2, Number(shape.GetAttribute("y")!) + Number(shape.GetAttribute("height")!) / 2);
    }

    [Fact]
    public void The_html_holds_every_kept_node_and_edge_and_the_prompt_tokens()
    {
        var view = new AttributionGraphView(S.Graph, S.Pruning);
        var doc = Html.Parse(view.ToHtml("ag"));
        var kept = Enumerable.Range(0, S.Graph.Nodes.Count).Where(i => S.Pruning.NodeMask[i]).ToArray();
        var drawnNodes = doc.QuerySelectorAll("#ag-graph .ik-ag-node").Select(g => g.GetAttribute("data-node")!).ToHashSet();
        Assert.Equal(kept.Select(S.Graph.NodeId).ToHashSet(), drawnNodes);

        var keptEdges = new HashSet<(string, string)>();
        foreach (int t in kept)
            foreach (int s in kept)
                if (S.Pruning.KeepsEdge(t, s) && S.Graph[t, s] != 0) keptEdges.Add((S.Graph.NodeId(s), S.Graph.NodeId(t)));
        Assert.NotEmpty(keptEdges);
        var drawnEdges = doc.QuerySelectorAll("#ag-graph .ik-ag-edge").Select(e => (e.GetAttribute("data-source")!, e.GetAttribute("data-target")!)).ToHashSet();
        Assert.Equal(keptEdges, drawnEdges);
        Assert.Equal(keptEdges.Count, view.EdgeCount);

        var tokens = doc.QuerySelectorAll("#ag-graph .ik-ag-token").Select(t => t.TextContent).ToArray();
        Assert.Equal(S.Graph.PromptTokens.Count, tokens.Length);
        Assert.StartsWith(" God", tokens[2]);
        Assert.NotNull(doc.QuerySelector("#ag-details"));
        Assert.NotNull(doc.QuerySelector("#ag-config"));
    }

    [Fact]
    public void Nodes_sit_in_rows_by_layer_and_columns_by_position_with_weights_as_width_and_sign_as_colour()
    {
        var view = new AttributionGraphView(S.Graph, S.Pruning);
        var doc = Html.Parse(view.ToHtml("ag"));
        var centres = doc.QuerySelectorAll(".ik-ag-node").ToDictionary(g => g.GetAttribute("data-node")!, Centre);
        double RowOf(AttributionNodeKind kind, int layer = 0) => centres[Array.Find(view.Nodes,
            n => n.Kind == kind && (kind is not (AttributionNodeKind.Feature or AttributionNodeKind.Error) || n.Layer == layer))!.Id].Y;
        Assert.True(RowOf(AttributionNodeKind.Embedding) > RowOf(AttributionNodeKind.Error, 0), "embeddings lie below layer 0");
        Assert.True(RowOf(AttributionNodeKind.Error, 0) > RowOf(AttributionNodeKind.Error, 1), "layer 0 lies below layer 1");
        Assert.True(RowOf(AttributionNodeKind.Error, 1) > RowOf(AttributionNodeKind.Logit), "logits lie at the top");
        var embeddings = view.Nodes.Where(n => n.Kind == AttributionNodeKind.Embedding).OrderBy(n => n.Position).Select(n => centres[n.Id].X).ToArray();
        Assert.Equal(embeddings.Order(), embeddings);
        foreach (var n in view.Nodes.Where(n => n.Kind == AttributionNodeKind.Feature))
            Assert.InRange(centres[n.Id].X, embeddings[n.Position] - 48, embeddings[n.Position] + 48);

        var lines = doc.QuerySelectorAll(".ik-ag-edge").ToArray();
        var widest = lines.MaxBy(l => Number(l.GetAttribute("stroke-width")!))!;
        Assert.Equal(Math.Abs(view.Edges[0].Weight), Math.Abs(Number(widest.GetAttribute("data-weight")!)), 3);
        foreach (var line in lines)
        {
            bool positive = !line.GetAttribute("data-weight")!.StartsWith('-');
            Assert.Equal(positive ? "rgb(178,24,43)" : "rgb(33,102,172)", line.GetAttribute("stroke"));
            Assert.Contains("weight", line.QuerySelector("title")!.TextContent);
        }
        var feature = view.Nodes.First(n => n.Kind == AttributionNodeKind.Feature);
        var title = doc.QuerySelector($".ik-ag-node[data-node='{feature.Id}'] title")!.TextContent;
        Assert.Contains($"feature {feature.Feature} of layer {feature.Layer} @{feature.Position}", title);
        Assert.Contains("activation", title);
        Assert.Contains("influence", title);
    }

    [Fact]
    public void Text_is_escaped_and_the_svg_is_well_formed_xml()
    {
        var feature = S.Graph.Nodes.First(n => n.Kind == AttributionNodeKind.Feature);
        var examples = new Dictionary<(int, int), IReadOnlyList<FeatureExample>>
        {
            [(feature.Layer, feature.Feature)] = [new FeatureExample(["<script>", "&", "\u0001"], [0.5f, 2f, 1f])],
        };
        var view = new AttributionGraphView(S.Graph, S.Pruning, title: "<b>graph</b> & \"co\"", examples: examples);
        var html = view.ToHtml("ag");
        Assert.DoesNotContain("<b>graph</b>", html);
        Assert.DoesNotContain("<script>\"", html);
        Assert.Equal(2, Html.Parse(html).QuerySelectorAll("script").Length);
        Assert.Contains("\\u003Cscript\\u003E", html);
        Assert.Equal("<b>graph</b> & \"co\"", Html.Parse(html).QuerySelector(".ik-title")!.TextContent);

        var svg = XDocument.Parse(view.ToSvg());
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", svg.Root!.Name);
        Assert.Equal(view.Nodes.Length, svg.Descendants(ns + "g").Count(g => (string?)g.Attribute("class") == "ik-ag-node"));
        Assert.Equal(view.Edges.Length, svg.Descendants(ns + "line").Count(l => (string?)l.Attribute("class") == "ik-ag-edge"));
        Assert.DoesNotContain("<script", view.ToSvg());
        Assert.StartsWith(view.Title, view.ToPlainText());
    }

    [Fact]
    public void The_formatter_shows_an_attribution_graph_as_its_pruned_view()
    {
        InterpKernelFormatters.Register();
        Assert.Contains(typeof(AttributionGraph), InterpKernelFormatters.AnalysisTypes);
        Assert.Contains(typeof(AttributionGraphView), InterpKernelFormatters.ViewTypes);
        var html = Formatter.ToDisplayString(S.Graph, "text/html");
        var doc = Html.Parse(html);
        var pruned = S.Graph.Prune();
        Assert.Equal(pruned.NodeCount, doc.QuerySelectorAll(".ik-attribution .ik-ag-node").Length);
        Assert.Contains("Attribution graph", Formatter.ToDisplayString(S.Graph, "text/plain"));
        XDocument.Parse(Formatter.ToDisplayString(S.Graph, "image/svg+xml"));
        var view = new AttributionGraphView(S.Graph, S.Pruning);
        Assert.Contains("ik-ag-node", Formatter.ToDisplayString(view, "text/html"));
    }

    [Fact]
    public void Pages_share_the_graph_script_once()
    {
        var page = new PageAssets();
        var first = page.Share(new AttributionGraphView(S.Graph, S.Pruning).ToHtml("a1"));
        var second = page.Share(new AttributionGraphView(S.Graph, S.Pruning).ToHtml("a2"));
        Assert.Contains("window.__ikAttributionGraph=window.__ikAttributionGraph||(function", first);
        Assert.DoesNotContain("window.__ikAttributionGraph||", second);
        Assert.Contains("window.__ikAttributionGraph(document", second);
    }

    [Fact]
    public void Edges_are_capped_largest_first_and_a_pruning_of_another_graph_is_refused()
    {
        var all = new AttributionGraphView(S.Graph, S.Pruning);
        var capped = new AttributionGraphView(S.Graph, S.Pruning, maxEdges: 5);
        Assert.Equal(all.Edges.Take(5), capped.Edges);
        Assert.Contains($"{all.EdgeCount - 5} smaller edges not drawn", capped.ToPlainText());
        Assert.Throws<ArgumentException>(() => new AttributionGraphView(S.Graph, S.Pruning, maxEdges: 0));
        Assert.Throws<ArgumentException>(() => new AttributionGraphView(S.Graph, S.OtherPruning));
    }
}
