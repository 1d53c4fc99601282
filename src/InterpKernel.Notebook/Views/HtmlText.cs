using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace InterpKernel.Notebook.Views;

/// <summary>Escaping and number formatting shared by the renderers.</summary>
internal static class HtmlText
{
    private static readonly JsonSerializerOptions ScriptSafeJson = new() { Encoder = JavaScriptEncoder.Default };

    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    /// <summary>JSON safe to place inside a script element: '&lt;', '&gt;' and '&amp;' come out escaped.</summary>
    public static string Json<T>(T value) => JsonSerializer.Serialize(value, ScriptSafeJson);

    /// <summary>A number the way a reader wants it in a table: four significant decimals, no exponent for common sizes.</summary>
    public static string Number(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        var magnitude = Math.Abs(value);
        if (magnitude != 0 && (magnitude < 1e-4 || magnitude >= 1e6))
        {
            return value.ToString("0.###e+0", CultureInfo.InvariantCulture);
        }
        return value.ToString("0.####", CultureInfo.InvariantCulture);
    }

    /// <summary>Tokens keep their leading spaces visible; an empty token still shows something to hover.</summary>
    public static string Token(string token) => token.Length == 0 ? "\u2205" : token.Replace("\n", "\u21b5");
}
