using System.Text;

namespace InterpKernel.Notebook.Views.Charts;

/// <summary>
/// The frame of an x/y chart: title, legend, grid, axes with tick labels and axis titles, and the mapping from data to
/// pixels. The x axis is either categories (one band each, labels shortened and thinned to fit) or numbers.
/// </summary>
internal sealed class XYFrame
{
    private const int LabelMax = 12;
    private readonly string _title, _xTitle, _yTitle;
    private readonly IReadOnlyList<string>? _categories;
    private readonly IReadOnlyList<string> _legend;
    private readonly double[] _yTicks, _xTicks;
    private readonly bool _rotate;
    private readonly int _every;

    public XYFrame(string title, string xTitle, string yTitle, IReadOnlyList<string>? categories, (double Min, double Max) x,
        (double Min, double Max) y, IReadOnlyList<string> legend, int width = 640, int height = 360)
    {
        _title = title;
        _xTitle = xTitle;
        _yTitle = yTitle;
        _categories = categories;
        _legend = legend;
        Width = width;
        Height = height;
        (YMin, YMax) = y;
        (XMin, XMax) = x;
        _yTicks = Svg.Ticks(YMin, YMax);
        _xTicks = categories is null ? Svg.Ticks(XMin, XMax, 8) : [];
        double tickWidth = _yTicks.Select(t => Svg.Width(Svg.Tick(t))).DefaultIfEmpty(10).Max();
        Left = 12 + (yTitle.Length > 0 ? 16 : 0) + tickWidth;
        Top = 12 + (title.Length > 0 ? 20 : 0) + (legend.Count > 1 ? 18 : 0);
        double plotWidth = width - Left - 16;
        double bottom = 22 + (xTitle.Length > 0 ? 16 : 0);
        if (categories is { Count: > 0 })
        {
            double band = plotWidth / categories.Count;
            double longest = categories.Select(c => Svg.Width(Svg.Shorten(c, LabelMax))).Max();
            _rotate = longest > band - 4;
            // Rotated labels need about 13 px each; show every k-th one when the bands are narrower.
            _every = _rotate ? Math.Max(1, (int)Math.Ceiling(13 / band)) : 1;
            if (_rotate) bottom += longest * 0.72;
        }
        PlotLeft = Left;
        PlotTop = Top;
        PlotWidth = plotWidth;
        PlotHeight = height - Top - bottom;
    }

    public int Width { get; }
    public int Height { get; }
    public double XMin { get; }
    public double XMax { get; }
    public double YMin { get; }
    public double YMax { get; }
    public double Left { get; }
    public double Top { get; }
    public double PlotLeft { get; }
    public double PlotTop { get; }
    public double PlotWidth { get; }
    public double PlotHeight { get; }

    /// <summary>Width of one category's band.</summary>
    public double Band => _categories is { Count: > 0 } c ? PlotWidth / c.Count : PlotWidth;

    /// <summary>Pixel x of a category index (its band's centre) or of a number.</summary>
    public double X(double value) => _categories is not null
        ? PlotLeft + (value + 0.5) * Band
        : PlotLeft + (value - XMin) / (XMax - XMin) * PlotWidth;

    public double Y(double value) => PlotTop + (YMax - value) / (YMax - YMin) * PlotHeight;

    /// <summary>Writes the frame; marks drawn afterwards lie on top of the grid.</summary>
    public void Write(StringBuilder svg)
    {
        if (_title.Length > 0) Svg.Text(svg, Width / 2.0, 20, Svg.Shorten(_title, 100), size: 13, bold: true);
        WriteLegend(svg);
        svg.Append("<g stroke=\"#e6e6e6\" stroke-width=\"1\">");
        foreach (var t in _yTicks) svg.Append($"<line x1=\"{Svg.N(PlotLeft)}\" x2=\"{Svg.N(PlotLeft + PlotWidth)}\" y1=\"{Svg.N(Y(t))}\" y2=\"{Svg.N(Y(t))}\"/>");
        svg.Append("</g>");
        if (YMin < 0 && YMax > 0) svg.Append($"<line x1=\"{Svg.N(PlotLeft)}\" x2=\"{Svg.N(PlotLeft + PlotWidth)}\" y1=\"{Svg.N(Y(0))}\" y2=\"{Svg.N(Y(0))}\" stroke=\"#999\"/>");
        svg.Append($"<rect x=\"{Svg.N(PlotLeft)}\" y=\"{Svg.N(PlotTop)}\" width=\"{Svg.N(PlotWidth)}\" height=\"{Svg.N(PlotHeight)}\" fill=\"none\" stroke=\"#bbb\"/>");
        svg.Append("<g class=\"ik-yticks\">");
        foreach (var t in _yTicks) Svg.Text(svg, PlotLeft - 5, Y(t) + 4, Svg.Tick(t), "end");
        svg.Append("</g><g class=\"ik-xticks\">");
        double baseline = PlotTop + PlotHeight + 14;
        if (_categories is not null)
        {
            for (int i = 0; i < _categories.Count; i += _every)
            {
                if (_rotate) Svg.Label(svg, X(i) + 3, baseline - 4, _categories[i], "end", LabelMax, -45);
                else Svg.Label(svg, X(i), baseline, _categories[i], "middle", LabelMax);
            }
        }
        else
        {
            foreach (var t in _xTicks) Svg.Text(svg, X(t), baseline, Svg.Tick(t));
        }
        svg.Append("</g>");
        if (_xTitle.Length > 0) Svg.Text(svg, PlotLeft + PlotWidth / 2, Height - 6, _xTitle, fill: "#444");
        if (_yTitle.Length > 0) Svg.Text(svg, 14, PlotTop + PlotHeight / 2, _yTitle, rotate: -90, fill: "#444");
    }

    private void WriteLegend(StringBuilder svg)
    {
        if (_legend.Count < 2) return;
        double y = 12 + (_title.Length > 0 ? 20 : 0) + 2, x = PlotLeft;
        svg.Append("<g class=\"ik-legend-svg\">");
        for (int i = 0; i < _legend.Count; i++)
        {
            var name = Svg.Shorten(_legend[i], 24);
            svg.Append($"<rect x=\"{Svg.N(x)}\" y=\"{Svg.N(y)}\" width=\"10\" height=\"10\" fill=\"{Svg.Palette[i % Svg.Palette.Length]}\"/>");
            Svg.Text(svg, x + 14, y + 9, name, "start");
            x += 26 + Svg.Width(name);
        }
        svg.Append("</g>");
    }
}
