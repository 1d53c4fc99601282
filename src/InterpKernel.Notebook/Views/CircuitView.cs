using System.Globalization;
using System.Text;
using InterpKernel.Analysis;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// A circuit as an SVG graph: nodes in rows by layer (<c>input</c> at the bottom, <c>logits</c> at the top, heads
/// then the MLP along each row), edges drawn with width by absolute score and colour by sign (red positive, blue
/// negative). Hovering a node or an edge shows its name and score; clicking a node lights its edges and lists them,
/// with the node's top examples when they are given (<see cref="CircuitNodeExamples"/>). Only edges in the circuit
/// are drawn, at most <see cref="MaxEdges"/> of them, largest first; nodes outside the circuit are drawn faint.
/// </summary>
public sealed record CircuitView : IHtmlView
{
    /// <summary>Creates the view of <paramref name="graph"/>; the graph's scores and circuit are copied.</summary>
    /// <param name="graph">The circuit.</param>
    /// <param name="title">The caption; by default the circuit's size.</param>
    /// <param name="maxEdges">The most edges drawn.</param>
    /// <param name="examples">Top examples by node name (<see cref="CircuitNodeExamples.Collect"/>), shown when a node is clicked.</param>
    public CircuitView(CircuitGraph graph, string? title = null, int maxEdges = 200,
        IReadOnlyDictionary<string, IReadOnlyList<ActivatingExample>>? examples = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (maxEdges < 1) throw new ArgumentException($"maxEdges must be at least 1, got {maxEdges}.", nameof(maxEdges));
        Title = title ?? $"Circuit: {graph.CircuitEdgeCount} of {graph.Edges.Count} edges";
        MaxEdges = maxEdges;
        Layers = graph.Layers;
        Heads = graph.Heads;
        KeyValueHeads = graph.KeyValueHeads;
        Nodes = graph.Nodes.Select(n => (n.Name, n.Layer, n.Head, n.Kind, n.InCircuit)).ToArray();
        Edges = graph.Edges.Where(e => e.InCircuit).OrderByDescending(e => Math.Abs(e.Score)).Take(maxEdges)
            .Select(e => (e.From, e.To, e.ToNode, e.Score)).ToArray();
        Examples = (examples ?? new Dictionary<string, IReadOnlyList<ActivatingExample>>()).ToDictionary(
            e => e.Key,
            e => (IReadOnlyList<FeatureExample>)e.Value.Select(x => new FeatureExample(x.ContextTokens, x.ContextActivations ?? Peak(x))).ToArray(),
            StringComparer.Ordinal);
    }

    static float[] Peak(ActivatingExample example)
    {
        var values = new float[example.ContextTokens.Length];
        values[example.MarkedIndex] = example.Activation;
        return values;
    }

    /// <summary>The caption.</summary>
    public string Title { get; }

    /// <summary>The most edges drawn.</summary>
    public int MaxEdges { get; }

    /// <summary>Layers of the model.</summary>
    public int Layers { get; }

    /// <summary>Heads per layer.</summary>
    public int Heads { get; }

    /// <summary>Key/value heads per layer.</summary>
    public int KeyValueHeads { get; }

    /// <summary>The nodes: name, layer, head, kind, whether in the circuit.</summary>
    public (string Name, int Layer, int Head, CircuitNodeKind Kind, bool InCircuit)[] Nodes { get; }

    /// <summary>The edges drawn: sender, receiver input, receiving node, score.</summary>
    public (string From, string To, string ToNode, double Score)[] Edges { get; }

    /// <summary>Top examples by node name, shown when the node is clicked.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<FeatureExample>> Examples { get; }

    const int Gap = 64, RowHeight = 90, Margin = 40;

    /// <inheritdoc />
    public string ToHtml(string? idPrefix = null)
    {
        var id = ViewIds.Resolve(idPrefix);
        int columns = Heads + 1;
        int width = 2 * Margin + (columns - 1) * Gap, height = 2 * Margin + (Layers + 1) * RowHeight;
        var places = Nodes.ToDictionary(n => n.Name, n => Place(n.Layer, n.Kind, n.Head, width, height), StringComparer.Ordinal);
        double limit = Edges.Length == 0 ? 1 : Edges.Max(e => Math.Abs(e.Score));
        if (limit == 0) limit = 1;
        var svg = new StringBuilder(ViewAssets.StyleElement());
        svg.Append($"<div class=\"ik-view ik-circuit\" id=\"{id}-root\"><div class=\"ik-title\">{HtmlText.Encode(Title)}</div>");
        svg.Append("<div style=\"display:flex;gap:12px;align-items:flex-start;flex-wrap:wrap\"><div style=\"overflow-x:auto;max-width:100%\">");
        svg.Append(string.Create(CultureInfo.InvariantCulture,
            $"<svg id=\"{id}-graph\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" font-family=\"sans-serif\" font-size=\"10\">"));
        foreach (var e in Edges.Reverse())
        {
            if (!places.TryGetValue(e.From, out var a)) continue;
            var b = places.TryGetValue(e.ToNode, out var p) ? p : GroupPlace(e.ToNode, width, height);
            double w = 0.5 + 5.5 * Math.Abs(e.Score) / limit;
            string colour = e.Score >= 0 ? "rgb(178,24,43)" : "rgb(33,102,172)";
            svg.Append(string.Create(CultureInfo.InvariantCulture,
                $"<line class=\"ik-circuit-edge ik-ag-edge\" data-edge=\"{HtmlText.Encode(e.From)}-&gt;{HtmlText.Encode(e.To)}\" data-source=\"{HtmlText.Encode(e.From)}\" data-target=\"{HtmlText.Encode(e.ToNode)}\" data-weight=\"{HtmlText.Number(e.Score)}\" data-score=\"{HtmlText.Number(e.Score)}\" x1=\"{a.X:F1}\" y1=\"{a.Y:F1}\" x2=\"{b.X:F1}\" y2=\"{b.Y + 9:F1}\" stroke=\"{colour}\" stroke-opacity=\"0.75\" stroke-width=\"{w:F2}\">"));
            svg.Append($"<title>{HtmlText.Encode(e.From)} → {HtmlText.Encode(e.To)}: {HtmlText.Number(e.Score)}</title></line>");
        }
        foreach (var n in Nodes)
        {
            var (x, y) = places[n.Name];
            string fill = n.Kind == CircuitNodeKind.Mlp ? "#f3e3c3" : n.Kind == CircuitNodeKind.AttentionHead ? "#dbe8f5" : "#e4e4e4";
            string opacity = n.InCircuit ? "1" : "0.3";
            double score = Edges.Where(e => e.From == n.Name || e.ToNode == n.Name).Sum(e => Math.Abs(e.Score));
            svg.Append(string.Create(CultureInfo.InvariantCulture,
                $"<g class=\"ik-circuit-node ik-ag-node\" style=\"cursor:pointer\" data-node=\"{HtmlText.Encode(n.Name)}\" opacity=\"{opacity}\"><rect x=\"{x - 24:F1}\" y=\"{y - 9:F1}\" width=\"48\" height=\"18\" rx=\"4\" fill=\"{fill}\" stroke=\"#555\"/>"));
            svg.Append(string.Create(CultureInfo.InvariantCulture,
                $"<text x=\"{x:F1}\" y=\"{y + 3.5:F1}\" text-anchor=\"middle\">{HtmlText.Encode(n.Name)}</text><title>{HtmlText.Encode(n.Name)}: Σ|score| of drawn edges {HtmlText.Number(score)}</title></g>"));
        }
        svg.Append("</svg></div>");
        svg.Append($"<div class=\"ik-ag-details\" id=\"{id}-details\" style=\"min-width:220px;max-width:360px;font-size:12px;line-height:1.4\">")
            .Append(Examples.Count == 0 ? "Click a node to light its edges and list them." : "Click a node to light its edges, list them and see its top examples.")
            .Append("</div></div>");
        var nodes = Nodes.Select(n => new
        {
            id = n.Name, kind = n.Kind switch
            {
                CircuitNodeKind.AttentionHead => "head",
                CircuitNodeKind.Mlp => "mlp",
                CircuitNodeKind.Input => "input",
                _ => "logits",
            },
            label = n.Name, score = Edges.Where(e => e.From == n.Name || e.ToNode == n.Name).Sum(e => Math.Abs(e.Score)),
        });
        var examples = Examples.ToDictionary(e => e.Key, e => e.Value.Select(x => x.ToScriptData()).ToArray());
        svg.Append($"<script type=\"application/json\" id=\"{id}-config\">{HtmlText.Json(new { nodes, examples, tokens = Array.Empty<string>() })}</script>");
        svg.Append("<script>(function(){var p=").Append(HtmlText.Json(id))
            .Append(";").Append(ViewAssets.SharedFunction("attribution-graph.js"))
            .Append("(document.getElementById(p+'-root'),JSON.parse(document.getElementById(p+'-config').textContent));})();</script>");
        svg.Append("</div>");
        return svg.ToString();
    }

    (double X, double Y) Place(int layer, CircuitNodeKind kind, int head, int width, int height)
    {
        double rowY(int row) => height - Margin - row * (double)RowHeight;
        return kind switch
        {
            CircuitNodeKind.Input => (width / 2.0, rowY(0)),
            CircuitNodeKind.Logits => (width / 2.0, rowY(Layers + 1) + RowHeight / 2.0),
            CircuitNodeKind.Mlp => (Margin + Heads * (double)Gap, rowY(layer + 1) + RowHeight / 3.0),
            _ => (Margin + head * (double)Gap, rowY(layer + 1)),
        };
    }

    (double X, double Y) GroupPlace(string node, int width, int height)
    {
        // A shared key/value input a{L}.g{G}: drawn at the first head of its group.
        int dot = node.IndexOf(".g", StringComparison.Ordinal);
        int layer = int.Parse(node.AsSpan(1, dot - 1), CultureInfo.InvariantCulture);
        int group = int.Parse(node.AsSpan(dot + 2), CultureInfo.InvariantCulture);
        return Place(layer, CircuitNodeKind.AttentionHead, group * Math.Max(1, Heads / Math.Max(1, KeyValueHeads)), width, height);
    }

    /// <inheritdoc />
    public string ToPlainText()
    {
        var text = new StringBuilder(Title).AppendLine();
        foreach (var e in Edges) text.AppendLine($"{e.From} -> {e.To}  {HtmlText.Number(e.Score)}");
        return text.ToString();
    }
}
