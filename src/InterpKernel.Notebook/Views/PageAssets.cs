namespace InterpKernel.Notebook.Views;

/// <summary>
/// Lets many view outputs share one page without repeating their assets. Each output carries the shared
/// stylesheet and the scripts it needs so that it works alone (in a notebook, one output may be shown without the
/// others); on a page holding many outputs, such as an exported report, the first output keeps them and the later
/// ones are shortened to a reference to what the first defined.
/// </summary>
/// <example>
/// <code>
/// var page = new PageAssets();
/// foreach (var html in outputs) body.Append(page.Share(html));
/// </code>
/// </example>
public sealed class PageAssets
{
    private readonly HashSet<string> _defined = new(StringComparer.Ordinal);

    /// <summary>Returns <paramref name="outputHtml"/> with the assets an earlier output on this page already carried removed.</summary>
    /// <param name="outputHtml">The text/html of one output, in page order.</param>
    public string Share(string outputHtml)
    {
        ArgumentNullException.ThrowIfNull(outputHtml);
        var html = outputHtml;
        var style = ViewAssets.StyleElement();
        if (html.Contains(style, StringComparison.Ordinal) && !_defined.Add(style))
        {
            html = html.Replace(style, "", StringComparison.Ordinal);
        }

        foreach (var (global, file) in ViewAssets.SharedScripts)
        {
            var definition = ViewAssets.Definition(global, file);
            if (html.Contains(definition, StringComparison.Ordinal) && !_defined.Add(definition))
            {
                html = html.Replace(definition, global, StringComparison.Ordinal);
            }
        }

        return html;
    }
}
