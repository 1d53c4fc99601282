using System.Globalization;
using System.Text;

namespace InterpKernel.Notebook.Views.Charts;

/// <summary>
/// Small SVG writing helpers shared by the chart renderers. Everything is drawn with presentation attributes (no CSS
/// classes needed), so a chart reads the same inline in HTML, as a standalone image/svg+xml, and with scripts off.
/// </summary>
internal static class Svg
{
    /// <summary>Ten distinguishable series colours (a colour-blind-safe categorical palette).</summary>
    public static readonly string[] Palette =
        ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    public const string Font = "-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif";

    /// <summary>A coordinate with at most one decimal, invariant culture.</summary>
    public static string N(double value) =>
        double.IsFinite(value) ? Math.Round(value, 1).ToString("0.#", CultureInfo.InvariantCulture) : "0";

    /// <summary>Escapes what XML needs escaped and nothing else, so tokens and "·" stay one UTF-8 character each.</summary>
    public static string Encode(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);

    /// <summary>Opens the root element; <paramref name="idAttribute"/> is empty for a standalone image.</summary>
    public static void Open(StringBuilder svg, int width, int height, string label, string idAttribute = "")
    {
        svg.Append("<svg xmlns=\"http://www.w3.org/2000/svg\"").Append(idAttribute)
            .Append($" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{Encode(label)}\"")
            .Append($" font-family=\"{Font}\" font-size=\"11\" style=\"max-width:100%;height:auto;background:#fff\">");
    }

    /// <summary>Text at a point; anchor is start, middle or end; a rotation in degrees turns it around that point.</summary>
    public static void Text(StringBuilder svg, double x, double y, string text, string anchor = "middle", int size = 11,
        bool bold = false, double rotate = 0, string fill = "#222")
    {
        svg.Append($"<text x=\"{N(x)}\" y=\"{N(y)}\" text-anchor=\"{anchor}\"");
        if (size != 11) svg.Append($" font-size=\"{size}\"");
        if (bold) svg.Append(" font-weight=\"600\"");
        svg.Append($" fill=\"{fill}\"");
        if (rotate != 0) svg.Append($" transform=\"rotate({N(rotate)} {N(x)} {N(y)})\"");
        svg.Append('>').Append(Encode(text)).Append("</text>");
    }

    /// <summary>
    /// A label shortened to <paramref name="max"/> characters; a shortened one carries its full text as a title, which
    /// browsers show on hover without any script (and the chart script shows as its tip).
    /// </summary>
    public static void Label(StringBuilder svg, double x, double y, string label, string anchor, int max, double rotate = 0)
    {
        var shown = Shorten(label, max);
        if (shown == label)
        {
            Text(svg, x, y, label, anchor, rotate: rotate);
            return;
        }
        svg.Append($"<text x=\"{N(x)}\" y=\"{N(y)}\" text-anchor=\"{anchor}\" fill=\"#222\"");
        if (rotate != 0) svg.Append($" transform=\"rotate({N(rotate)} {N(x)} {N(y)})\"");
        svg.Append("><title>").Append(Encode(label)).Append("</title>").Append(Encode(shown)).Append("</text>");
    }

    /// <summary>The label itself when short enough, else its first characters and an ellipsis.</summary>
    public static string Shorten(string label, int max) => label.Length <= max ? label : label[..Math.Max(1, max - 1)] + "\u2026";

    /// <summary>A rough text width in pixels at 11px, enough to size margins.</summary>
    public static double Width(string text, int size = 11) => text.Length * size * 0.58;

    /// <summary>Readable tick values covering [min, max]: steps of 1, 2 or 5 times a power of ten.</summary>
    public static double[] Ticks(double min, double max, int target = 6)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max)) return [0];
        if (max <= min) return [min];
        double raw = (max - min) / Math.Max(1, target);
        double power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double m = raw / power;
        double step = power * (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10);
        var ticks = new List<double>();
        for (double t = Math.Ceiling(min / step - 1e-9) * step; t <= max + step * 1e-9; t += step)
        {
            ticks.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        }
        return [.. ticks];
    }

    /// <summary>A range padded to nice tick values, with a small margin when all values are equal.</summary>
    public static (double Min, double Max) NiceRange(double min, double max, bool includeZero)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max)) return (0, 1);
        if (includeZero) { min = Math.Min(min, 0); max = Math.Max(max, 0); }
        if (max - min < 1e-12) { min -= 0.5; max += 0.5; }
        var ticks = Ticks(min, max);
        double step = ticks.Length > 1 ? ticks[1] - ticks[0] : (max - min);
        double lo = Math.Floor(min / step + 1e-9) * step, hi = Math.Ceiling(max / step - 1e-9) * step;
        return (lo, hi);
    }

    /// <summary>A tick label: few digits, no exponent for common sizes.</summary>
    public static string Tick(double value) => HtmlText.Number(Math.Round(value, 10));
}
