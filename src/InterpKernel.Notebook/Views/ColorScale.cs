using System.Globalization;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// The colour scales of the HTML views; the scripts under Views/Assets use the same end points so a view
/// looks the same before and after its script runs.
/// </summary>
internal static class ColorScale
{
    // Blue for negative, red for positive, white at zero (ColorBrewer RdBu end points).
    private static readonly (int R, int G, int B) Negative = (33, 102, 172);
    private static readonly (int R, int G, int B) Positive = (178, 24, 43);
    private static readonly (int R, int G, int B) Sequential = (8, 81, 156);

    /// <summary>Colour of <paramref name="value"/> on a scale symmetric around zero, saturating at ±<paramref name="limit"/>.</summary>
    public static string Diverging(double value, double limit)
    {
        if (!double.IsFinite(value) || limit <= 0) return "rgb(255,255,255)";
        var t = Math.Clamp(value / limit, -1, 1);
        return Mix(t < 0 ? Negative : Positive, Math.Abs(t));
    }

    /// <summary>Colour of a probability-like value in [0, 1], white to blue.</summary>
    public static string Unit(double value)
    {
        if (!double.IsFinite(value)) return "rgb(255,255,255)";
        return Mix(Sequential, Math.Clamp(value, 0, 1));
    }

    /// <summary><see cref="Diverging"/> as #rrggbb, shorter in SVG with many cells.</summary>
    public static string DivergingHex(double value, double limit)
    {
        if (!double.IsFinite(value) || limit <= 0) return "#ffffff";
        var t = Math.Clamp(value / limit, -1, 1);
        return Hex(t < 0 ? Negative : Positive, Math.Abs(t));
    }

    /// <summary><see cref="Unit"/> as #rrggbb.</summary>
    public static string UnitHex(double value) => double.IsFinite(value) ? Hex(Sequential, Math.Clamp(value, 0, 1)) : "#ffffff";

    private static string Hex((int R, int G, int B) end, double t)
    {
        int Channel(int c) => (int)Math.Round(255 + (c - 255) * t);
        return $"#{Channel(end.R):x2}{Channel(end.G):x2}{Channel(end.B):x2}";
    }

    /// <summary>Text on a strongly coloured cell is white so it stays readable.</summary>
    public static string TextOn(double strength) => Math.Abs(strength) > 0.6 ? "#fff" : "#111";

    /// <summary>The symmetric limit for a set of values: the largest magnitude, or 1 when all are zero.</summary>
    public static double SymmetricLimit(IEnumerable<float> values)
    {
        double limit = 0;
        foreach (var v in values)
        {
            if (float.IsFinite(v)) limit = Math.Max(limit, Math.Abs(v));
        }
        return limit > 0 ? limit : 1;
    }

    private static string Mix((int R, int G, int B) end, double t)
    {
        int Channel(int c) => (int)Math.Round(255 + (c - 255) * t);
        return string.Create(CultureInfo.InvariantCulture, $"rgb({Channel(end.R)},{Channel(end.G)},{Channel(end.B)})");
    }
}
