using Microsoft.DotNet.Interactive.Formatting;

namespace InterpKernel.Kernel.Execution;

/// <summary>
/// Turns a value into a Jupyter MIME bundle through Microsoft.DotNet.Interactive.Formatting, so that the
/// formatters registered by extensions (attention views, heatmaps) decide the HTML.
/// </summary>
public static class DisplayFormatter
{
    /// <summary>The plain-text MIME type.</summary>
    public const string PlainText = "text/plain";

    /// <summary>The HTML MIME type.</summary>
    public const string Html = "text/html";

    /// <summary>The SVG MIME type, a script-free picture of a chart for front ends that do not run the HTML's script.</summary>
    public const string Svg = "image/svg+xml";

    /// <summary>
    /// Formats a value; text/html is included when a formatter makes real HTML of it, and image/svg+xml when a
    /// formatter is registered for that type (charts), so viewers that drop scripts or HTML still show the chart.
    /// </summary>
    /// <param name="value">The value to show.</param>
    /// <param name="mimeType">A MIME type to show the value as, or null to let the formatters choose.</param>
    public static IReadOnlyDictionary<string, string> ToBundle(object? value, string? mimeType = null)
    {
        var bundle = new Dictionary<string, string>(StringComparer.Ordinal);
        if (mimeType is not null)
        {
            bundle[mimeType] = value as string ?? value.ToDisplayString(mimeType);
            if (mimeType != PlainText)
            {
                bundle[PlainText] = value is string ? $"<{mimeType}>" : value.ToDisplayString(PlainText);
            }

            return bundle;
        }

        if (!IsScalar(value))
        {
            var html = value.ToDisplayString(Html);
            // The default formatter wraps plain text in this div; only real HTML (tables, views) is worth a text/html entry.
            if (!html.StartsWith("<div class=\"dni-plaintext\">", StringComparison.Ordinal))
            {
                bundle[Html] = html;
            }

            if (HasSvgFormatter(value!.GetType()) && value.ToDisplayString(Svg) is { Length: > 0 } svg)
            {
                bundle[Svg] = svg;
            }
        }

        bundle[PlainText] = value.ToDisplayString(PlainText);
        return bundle;
    }

    private static bool HasSvgFormatter(Type type) =>
        Formatter.RegisteredFormatters(false).Any(f => f.MimeType == Svg && f.Type.IsAssignableFrom(type));

    // Numbers and strings read best as plain text; the default HTML formatter would only wrap them in a <pre>.
    private static bool IsScalar(object? value) =>
        value is null or string or char or bool or decimal or Enum or DateTime or DateTimeOffset or TimeSpan or Guid
        || value.GetType().IsPrimitive;
}
