using System.Text;

namespace InterpKernel.Notebook.Views.Charts;

/// <summary>
/// Draws a labelled matrix as SVG cells: row labels on the left, column labels below (rotated and shortened when
/// long, full text on hover), a colour bar, and each cell's row, column and value as its title.
/// </summary>
internal static class SvgHeatmap
{
    private const int ColumnLabelMax = 12, RowLabelMax = 16;

    public static void Write(StringBuilder svg, PatchingHeatmapView view, string idAttribute)
    {
        int rows = view.RowLabels.Length, cols = view.ColumnLabels.Length;
        double cellW = Math.Clamp(560.0 / Math.Max(1, cols), 10, 44), cellH = Math.Clamp(380.0 / Math.Max(1, rows), 10, 28);
        bool diverging = view.Scale == HeatmapScale.Diverging;
        double limit = diverging ? ColorScale.SymmetricLimit(view.Values.SelectMany(r => r)) : 1;
        double rowLabelWidth = view.RowLabels.Select(l => Svg.Width(Svg.Shorten(l, RowLabelMax))).DefaultIfEmpty(0).Max();
        double colLabelWidth = view.ColumnLabels.Select(l => Svg.Width(Svg.Shorten(l, ColumnLabelMax))).DefaultIfEmpty(0).Max();
        bool rotate = colLabelWidth > cellW - 2;
        // Rotated labels need about 12 px each: show every k-th one when cells are narrower.
        int every = rotate ? Math.Max(1, (int)Math.Ceiling(12 / cellW)) : 1;
        double left = 10 + (view.YTitle.Length > 0 ? 18 : 0) + rowLabelWidth + 6;
        double top = view.Title.Length > 0 ? 34 : 10;
        double gridW = cellW * cols, gridH = cellH * rows;
        double labelsH = rotate ? colLabelWidth * 0.72 + 16 : 18;
        int width = (int)Math.Ceiling(Math.Max(left + gridW + 90, Svg.Width(view.Title, 13) + 20));
        int height = (int)Math.Ceiling(top + gridH + labelsH + (view.XTitle.Length > 0 ? 20 : 4));
        Svg.Open(svg, width, height, view.Title, idAttribute);
        if (view.Title.Length > 0) Svg.Text(svg, left + gridW / 2 < width / 2.0 ? width / 2.0 : left + gridW / 2, 20, Svg.Shorten(view.Title, 110), size: 13, bold: true);

        svg.Append("<g class=\"ik-cells\" stroke=\"#fff\" stroke-width=\"0.5\">");
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                float v = view.Values[r][c];
                string fill = !float.IsFinite(v) ? "#eeeeee" : diverging ? ColorScale.DivergingHex(v, limit) : ColorScale.UnitHex(v);
                svg.Append($"<rect x=\"{Svg.N(left + c * cellW)}\" y=\"{Svg.N(top + r * cellH)}\" width=\"{Svg.N(cellW)}\" height=\"{Svg.N(cellH)}\" fill=\"{fill}\"><title>")
                    .Append(Svg.Encode($"{view.RowLabels[r]} · {view.ColumnLabels[c]}: {HtmlText.Number(v)}")).Append("</title></rect>");
            }
        }
        svg.Append("</g><g class=\"ik-ylabels\">");
        for (int r = 0; r < rows; r++) Svg.Label(svg, left - 5, top + (r + 0.5) * cellH + 4, view.RowLabels[r], "end", RowLabelMax);
        svg.Append("</g><g class=\"ik-xlabels\">");
        double below = top + gridH + 12;
        for (int c = 0; c < cols; c += every)
        {
            double x = left + (c + 0.5) * cellW;
            if (rotate) Svg.Label(svg, x + 3, below - 2, view.ColumnLabels[c], "end", ColumnLabelMax, -45);
            else Svg.Label(svg, x, below, view.ColumnLabels[c], "middle", ColumnLabelMax);
        }
        svg.Append("</g>");
        if (view.XTitle.Length > 0) Svg.Text(svg, left + gridW / 2, height - 6, view.XTitle, fill: "#444");
        if (view.YTitle.Length > 0) Svg.Text(svg, 14, top + gridH / 2, view.YTitle, rotate: -90, fill: "#444");
        WriteColorBar(svg, left + gridW + 16, top, Math.Max(60, Math.Min(gridH, 240)), diverging, limit);
        svg.Append("</svg>");
    }

    private static void WriteColorBar(StringBuilder svg, double x, double y, double h, bool diverging, double limit)
    {
        const int steps = 16;
        svg.Append("<g class=\"ik-colorbar\">");
        for (int i = 0; i < steps; i++)
        {
            double t = 1 - (i + 0.5) / steps; // top is the highest value
            string fill = diverging ? ColorScale.DivergingHex(limit * (2 * t - 1), limit) : ColorScale.UnitHex(t);
            svg.Append($"<rect x=\"{Svg.N(x)}\" y=\"{Svg.N(y + i * h / steps)}\" width=\"12\" height=\"{Svg.N(h / steps + 0.5)}\" fill=\"{fill}\"/>");
        }
        svg.Append($"<rect x=\"{Svg.N(x)}\" y=\"{Svg.N(y)}\" width=\"12\" height=\"{Svg.N(h)}\" fill=\"none\" stroke=\"#999\"/>");
        double lo = diverging ? -limit : 0, hi = diverging ? limit : 1;
        Svg.Text(svg, x + 16, y + 9, Svg.Tick(hi), "start");
        Svg.Text(svg, x + 16, y + h / 2 + 4, Svg.Tick((lo + hi) / 2), "start");
        Svg.Text(svg, x + 16, y + h, Svg.Tick(lo), "start");
        svg.Append("</g>");
    }
}
