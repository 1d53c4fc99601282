using System.Text;

namespace InterpKernel.Notebook.Views.Charts;

/// <summary>Curves over labelled x values; a NaN leaves a gap. Points carry their series, x label and value as titles.</summary>
internal static class SvgLines
{
    /// <summary>Above this many points per curve the markers are left out (the path alone carries a title).</summary>
    private const int MaxMarkers = 400;

    public static void Write(StringBuilder svg, string title, string xTitle, string yTitle, string[] xLabels, NamedValues[] series, string idAttribute)
    {
        var finite = series.SelectMany(s => s.Values).Where(float.IsFinite).Select(v => (double)v).ToArray();
        var y = Svg.NiceRange(finite.DefaultIfEmpty(0).Min(), finite.DefaultIfEmpty(1).Max(), includeZero: false);
        var frame = new XYFrame(title, xTitle, yTitle, xLabels, (0, xLabels.Length), y, series.Select(s => s.Name).ToArray());
        Svg.Open(svg, frame.Width, frame.Height, title, idAttribute);
        frame.Write(svg);
        for (int s = 0; s < series.Length; s++)
        {
            string colour = Svg.Palette[s % Svg.Palette.Length];
            var values = series[s].Values;
            var path = new StringBuilder();
            bool pen = false;
            for (int i = 0; i < values.Length; i++)
            {
                if (!float.IsFinite(values[i])) { pen = false; continue; }
                path.Append(pen ? 'L' : 'M').Append(Svg.N(frame.X(i))).Append(',').Append(Svg.N(frame.Y(values[i])));
                pen = true;
            }
            svg.Append($"<g class=\"ik-series\" data-series=\"{Svg.Encode(series[s].Name)}\">");
            if (path.Length > 0)
            {
                svg.Append($"<path d=\"{path}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"><title>{Svg.Encode(series[s].Name)}</title></path>");
            }
            if (values.Length <= MaxMarkers)
            {
                for (int i = 0; i < values.Length; i++)
                {
                    if (!float.IsFinite(values[i])) continue;
                    svg.Append($"<circle cx=\"{Svg.N(frame.X(i))}\" cy=\"{Svg.N(frame.Y(values[i]))}\" r=\"3.5\" fill=\"{colour}\"><title>")
                        .Append(Svg.Encode($"{series[s].Name} · {xLabels[i]}: {HtmlText.Number(values[i])}")).Append("</title></circle>");
                }
            }
            svg.Append("</g>");
        }
        svg.Append("</svg>");
    }
}
