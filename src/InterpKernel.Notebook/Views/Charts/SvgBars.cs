using System.Text;

namespace InterpKernel.Notebook.Views.Charts;

/// <summary>
/// Bars: grouped side by side over category labels (bar charts), or overlaid over numeric bins with transparency
/// (histograms). Each bar carries its series, label and value as its title.
/// </summary>
internal static class SvgBars
{
    public static void Grouped(StringBuilder svg, string title, string xTitle, string yTitle, string[] labels, NamedValues[] series, string idAttribute)
    {
        var finite = series.SelectMany(s => s.Values).Where(float.IsFinite).Select(v => (double)v).ToArray();
        var y = Svg.NiceRange(finite.DefaultIfEmpty(0).Min(), finite.DefaultIfEmpty(1).Max(), includeZero: true);
        var frame = new XYFrame(title, xTitle, yTitle, labels, (0, labels.Length), y, series.Select(s => s.Name).ToArray());
        Svg.Open(svg, frame.Width, frame.Height, title, idAttribute);
        frame.Write(svg);
        double inner = frame.Band * 0.8, width = inner / series.Length;
        for (int s = 0; s < series.Length; s++)
        {
            svg.Append($"<g class=\"ik-series\" fill=\"{Svg.Palette[s % Svg.Palette.Length]}\">");
            for (int i = 0; i < labels.Length; i++)
            {
                float v = series[s].Values[i];
                if (!float.IsFinite(v)) continue;
                double x = frame.X(i) - inner / 2 + s * width, y0 = frame.Y(0), y1 = frame.Y(v);
                string name = series.Length > 1 ? series[s].Name + " · " : "";
                Bar(svg, x, Math.Min(y0, y1), width, Math.Abs(y1 - y0), $"{name}{labels[i]}: {HtmlText.Number(v)}");
            }
            svg.Append("</g>");
        }
        svg.Append("</svg>");
    }

    /// <summary>Counts over shared bin edges (<c>edges.Length == counts.Length + 1</c>), one overlaid set per series.</summary>
    public static void Histogram(StringBuilder svg, string title, string xTitle, double[] edges, (string Name, double[] Counts)[] series, string idAttribute)
    {
        double top = series.SelectMany(s => s.Counts).DefaultIfEmpty(1).Max();
        var y = Svg.NiceRange(0, Math.Max(1, top), includeZero: true);
        var frame = new XYFrame(title, xTitle, "count", null, (edges[0], edges[^1]), y, series.Select(s => s.Name).ToArray());
        Svg.Open(svg, frame.Width, frame.Height, title, idAttribute);
        frame.Write(svg);
        string opacity = series.Length > 1 ? "0.55" : "0.85";
        for (int s = 0; s < series.Length; s++)
        {
            svg.Append($"<g class=\"ik-series\" fill=\"{Svg.Palette[s % Svg.Palette.Length]}\" fill-opacity=\"{opacity}\">");
            var counts = series[s].Counts;
            for (int b = 0; b < counts.Length; b++)
            {
                if (counts[b] <= 0) continue;
                double x0 = frame.X(edges[b]), x1 = frame.X(edges[b + 1]), yTop = frame.Y(counts[b]);
                string name = series.Length > 1 ? series[s].Name + " · " : "";
                Bar(svg, x0, yTop, Math.Max(0.5, x1 - x0), frame.Y(0) - yTop,
                    $"{name}[{HtmlText.Number(edges[b])}, {HtmlText.Number(edges[b + 1])}): {HtmlText.Number(counts[b])}");
            }
            svg.Append("</g>");
        }
        svg.Append("</svg>");
    }

    /// <summary>Equal-width bins over the finite values of every set, so overlaid sets share their edges.</summary>
    public static (double[] Edges, (string Name, double[] Counts)[] Series) Bin(NamedValues[] series, int? bins)
    {
        var all = series.SelectMany(s => s.Values).Where(float.IsFinite).ToArray();
        double min = all.Length > 0 ? all.Min() : 0, max = all.Length > 0 ? all.Max() : 1;
        if (max - min < 1e-12) { min -= 0.5; max += 0.5; }
        int count = bins ?? Math.Clamp((int)Math.Ceiling(Math.Sqrt(Math.Max(1, all.Length / Math.Max(1, series.Length)))), 5, 60);
        var edges = Enumerable.Range(0, count + 1).Select(i => min + (max - min) * i / count).ToArray();
        var counted = series.Select(s =>
        {
            var c = new double[count];
            foreach (var v in s.Values)
            {
                if (!float.IsFinite(v)) continue;
                c[Math.Clamp((int)((v - min) / (max - min) * count), 0, count - 1)]++;
            }
            return (s.Name, c);
        }).ToArray();
        return (edges, counted);
    }

    private static void Bar(StringBuilder svg, double x, double y, double w, double h, string tip) =>
        svg.Append($"<rect x=\"{Svg.N(x)}\" y=\"{Svg.N(y)}\" width=\"{Svg.N(w)}\" height=\"{Svg.N(h)}\"><title>")
            .Append(Svg.Encode(tip)).Append("</title></rect>");
}
