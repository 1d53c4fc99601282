using System.Text;

namespace InterpKernel.Notebook.Views.Charts;

/// <summary>Points on two numeric axes, one colour per series; each point carries its label and coordinates as its title.</summary>
internal static class SvgScatter
{
    public static void Write(StringBuilder svg, string title, string xTitle, string yTitle, ScatterSeries[] series, string idAttribute)
    {
        var xs = series.SelectMany(s => s.X).Where(float.IsFinite).Select(v => (double)v).ToArray();
        var ys = series.SelectMany(s => s.Y).Where(float.IsFinite).Select(v => (double)v).ToArray();
        var x = Padded(xs);
        var y = Padded(ys);
        var frame = new XYFrame(title, xTitle, yTitle, null, x, y, series.Select(s => s.Name).ToArray());
        Svg.Open(svg, frame.Width, frame.Height, title, idAttribute);
        frame.Write(svg);
        for (int s = 0; s < series.Length; s++)
        {
            var points = series[s];
            svg.Append($"<g class=\"ik-series\" fill=\"{Svg.Palette[s % Svg.Palette.Length]}\" fill-opacity=\"0.8\">");
            for (int i = 0; i < points.X.Length; i++)
            {
                if (!float.IsFinite(points.X[i]) || !float.IsFinite(points.Y[i])) continue;
                string label = points.Labels is { } l ? l[i] + ": " : series.Length > 1 ? points.Name + ": " : "";
                svg.Append($"<circle cx=\"{Svg.N(frame.X(points.X[i]))}\" cy=\"{Svg.N(frame.Y(points.Y[i]))}\" r=\"3.5\"><title>")
                    .Append(Svg.Encode($"{label}({HtmlText.Number(points.X[i])}, {HtmlText.Number(points.Y[i])})")).Append("</title></circle>");
            }
            svg.Append("</g>");
        }
        svg.Append("</svg>");
    }

    /// <summary>A nice range with 5% room on each side, so points at the extremes do not sit on the frame.</summary>
    private static (double Min, double Max) Padded(double[] values)
    {
        double min = values.DefaultIfEmpty(0).Min(), max = values.DefaultIfEmpty(1).Max(), pad = Math.Max(max - min, 1e-6) * 0.05;
        return Svg.NiceRange(min - pad, max + pad, includeZero: false);
    }
}
