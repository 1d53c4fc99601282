using System.Globalization;
using System.Text;
using InterpKernel.Analysis;
using InterpKernel.Notebook.Views.Charts;

namespace InterpKernel.Notebook.Views;

public sealed partial record AttributionGraphView
{
    const int Column = 96, Row = 76, Left = 64, Top = 34, Bottom = 44, LogitSpacing = 46;
    const string Positive = "rgb(178,24,43)", Negative = "rgb(33,102,172)";

    /// <inheritdoc />
    public string ToHtml(string? idPrefix = null)
    {
        var id = ViewIds.Resolve(idPrefix);
        var html = new StringBuilder(ViewAssets.StyleElement());
        html.Append($"<div class=\"ik-view ik-attribution\" id=\"{id}-root\"><div class=\"ik-title\">{HtmlText.Encode(Title)}</div>");
        html.Append("<div style=\"display:flex;gap:12px;align-items:flex-start;flex-wrap:wrap\"><div style=\"overflow-x:auto;max-width:100%\">");
        WriteSvg(html, $" id=\"{id}-graph\"");
        html.Append($"</div><div class=\"ik-ag-details\" id=\"{id}-details\" style=\"min-width:220px;max-width:360px;font-size:12px;line-height:1.4\">")
            .Append("Hover a node or an edge for its scores; click a node to highlight its edges and see its details.</div></div>");
        var examples = Examples.ToDictionary(
            e => string.Create(CultureInfo.InvariantCulture, $"{e.Key.Layer}_{e.Key.Feature}"),
            e => e.Value.Select(x => x.ToScriptData()).ToArray());
        var nodes = Nodes.Select(n => new
        {
            id = n.Id, kind = n.Kind.ToString().ToLowerInvariant(), label = Label(n), layer = n.Layer, pos = n.Position,
            feature = n.Feature, token = Shown(n.Token), activation = n.Activation, probability = n.Probability,
            influence = n.Influence, value = n.Value,
        });
        html.Append($"<script type=\"application/json\" id=\"{id}-config\">{HtmlText.Json(new { nodes, examples, tokens = PromptTokens.Select(Shown).ToArray() })}</script>");
        html.Append("<script>(function(){var p=").Append(HtmlText.Json(id))
            .Append(";").Append(ViewAssets.SharedFunction("attribution-graph.js"))
            .Append("(document.getElementById(p+'-root'),JSON.parse(document.getElementById(p+'-config').textContent));})();</script>");
        html.Append("</div>");
        return html.ToString();
    }

    /// <inheritdoc />
    public string ToSvg()
    {
        var svg = new StringBuilder();
        WriteSvg(svg, "");
        return svg.ToString();
    }

    /// <summary>Where each node is drawn: its position's column, its layer's row; several nodes share a cell side by side.</summary>
    internal (double X, double Y)[] Places()
    {
        var places = new (double X, double Y)[Nodes.Length];
        foreach (var cell in Enumerable.Range(0, Nodes.Length).Where(i => Nodes[i].Kind != AttributionNodeKind.Logit)
                     .GroupBy(i => (RowOf(Nodes[i]), Nodes[i].Position)))
        {
            // Features first, most influential in the middle of the cell's run; the error node last.
            var members = cell.OrderBy(i => Nodes[i].Kind == AttributionNodeKind.Error ? 1 : 0).ThenByDescending(i => Nodes[i].Influence).ToArray();
            double step = Math.Min(18, (Column - 12.0) / Math.Max(1, members.Length - 1));
            for (int k = 0; k < members.Length; k++)
            {
                double x = ColumnX(cell.Key.Position) + (k - (members.Length - 1) / 2.0) * step;
                places[members[k]] = (x, RowY(cell.Key.Item1));
            }
        }
        var logits = Enumerable.Range(0, Nodes.Length).Where(i => Nodes[i].Kind == AttributionNodeKind.Logit).ToArray();
        for (int k = 0; k < logits.Length; k++)
        {
            // The most likely token above the last position, the others to its left.
            places[logits[k]] = (ColumnX(PromptTokens.Length - 1) - k * LogitSpacing, RowY(Layers + 1));
        }
        return places;
    }

    int RowOf(GraphNode node) => node.Kind switch
    {
        AttributionNodeKind.Embedding => 0,
        AttributionNodeKind.Logit => Layers + 1,
        _ => node.Layer + 1,
    };

    static double ColumnX(int position) => Left + (position + 0.5) * Column;

    double RowY(int row) => Top + (Layers + 1 - row) * (double)Row;

    int LogitCount => Nodes.Count(n => n.Kind == AttributionNodeKind.Logit);

    void WriteSvg(StringBuilder svg, string idAttribute)
    {
        var places = Places();
        int extraLeft = Math.Max(0, (int)Math.Ceiling((LogitCount - 1) * LogitSpacing - (PromptTokens.Length - 0.5) * Column + 24));
        int width = Left + PromptTokens.Length * Column + 16, height = Top + (Layers + 1) * Row + Bottom;
        Svg.Open(svg, width + extraLeft, height, Title, idAttribute);
        if (extraLeft > 0) svg.Append($"<g transform=\"translate({extraLeft} 0)\">");
        else svg.Append("<g>");

        for (int row = 0; row <= Layers + 1; row++)
        {
            string name = row == 0 ? "embed" : row == Layers + 1 ? "logits" : $"L{row - 1}";
            svg.Append($"<line x1=\"{Left}\" x2=\"{width - 8}\" y1=\"{Svg.N(RowY(row))}\" y2=\"{Svg.N(RowY(row))}\" stroke=\"#eee\"/>");
            Svg.Text(svg, Left - 10, RowY(row) + 4, name, "end", fill: "#666");
        }
        for (int p = 0; p < PromptTokens.Length; p++)
        {
            svg.Append($"<g class=\"ik-ag-token\" data-pos=\"{p}\">");
            Svg.Label(svg, ColumnX(p), height - Bottom + 22, Shown(PromptTokens[p]), "middle", 13);
            Svg.Text(svg, ColumnX(p), height - Bottom + 36, p.ToString(CultureInfo.InvariantCulture), size: 9, fill: "#888");
            svg.Append("</g>");
        }

        double limit = Edges.Length == 0 ? 1 : Edges.Max(e => Math.Abs(e.Weight));
        if (!(limit > 0) || !double.IsFinite(limit)) limit = 1;
        foreach (var e in Edges.Reverse())
        {
            var (a, b) = (places[e.Source], places[e.Target]);
            double w = 0.5 + 4.5 * Math.Abs(e.Weight) / limit;
            var (source, target) = (Nodes[e.Source], Nodes[e.Target]);
            svg.Append($"<line class=\"ik-ag-edge\" data-source=\"{Svg.Encode(source.Id)}\" data-target=\"{Svg.Encode(target.Id)}\" data-weight=\"{HtmlText.Number(e.Weight)}\"")
                .Append($" x1=\"{Svg.N(a.X)}\" y1=\"{Svg.N(a.Y)}\" x2=\"{Svg.N(b.X)}\" y2=\"{Svg.N(b.Y)}\" stroke=\"{(e.Weight >= 0 ? Positive : Negative)}\"")
                .Append(string.Create(CultureInfo.InvariantCulture, $" stroke-opacity=\"0.6\" stroke-width=\"{w:F2}\" stroke-linecap=\"round\">"))
                .Append($"<title>{Svg.Encode($"{Label(source)} @{source.Position} → {Label(target)} @{target.Position}: weight {HtmlText.Number(e.Weight)}")}</title></line>");
        }

        for (int i = 0; i < Nodes.Length; i++)
        {
            var n = Nodes[i];
            var (x, y) = places[i];
            svg.Append($"<g class=\"ik-ag-node\" data-node=\"{Svg.Encode(n.Id)}\" data-kind=\"{n.Kind.ToString().ToLowerInvariant()}\" style=\"cursor:pointer\">");
            svg.Append($"<title>{Svg.Encode(Describe(n))}</title>");
            switch (n.Kind)
            {
                case AttributionNodeKind.Feature:
                    svg.Append($"<circle cx=\"{Svg.N(x)}\" cy=\"{Svg.N(y)}\" r=\"6\" fill=\"#f3e3c3\" stroke=\"#555\"/>");
                    break;
                case AttributionNodeKind.Error:
                    svg.Append($"<rect x=\"{Svg.N(x - 5)}\" y=\"{Svg.N(y - 5)}\" width=\"10\" height=\"10\" fill=\"#e4e4e4\" stroke=\"#555\" stroke-dasharray=\"2 1\"/>");
                    break;
                default:
                    string fill = n.Kind == AttributionNodeKind.Logit ? "#dbe8f5" : "#e4e4e4";
                    svg.Append($"<rect x=\"{Svg.N(x - 20)}\" y=\"{Svg.N(y - 8)}\" width=\"40\" height=\"16\" rx=\"4\" fill=\"{fill}\" stroke=\"#555\"/>");
                    Svg.Text(svg, x, y + 3.5, Svg.Shorten(Label(n), 6), size: 10);
                    break;
            }
            // Labels only where a cell is sparse enough to read them; the title names every node.
            if (n.Kind == AttributionNodeKind.Feature && Nodes.Count(m => m.Kind != AttributionNodeKind.Logit && RowOf(m) == RowOf(n) && m.Position == n.Position) <= 3)
                Svg.Text(svg, x, y - 9, Label(n), size: 8, fill: "#666");
            svg.Append("</g>");
        }
        svg.Append("</g></svg>");
    }
}
