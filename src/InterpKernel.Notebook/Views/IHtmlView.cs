namespace InterpKernel.Notebook.Views;

/// <summary>
/// A result that can show itself in a notebook: self-contained HTML (inline CSS and script, no network for
/// InterpKernel's own views) and a plain-text fallback for front ends that cannot show HTML.
/// </summary>
public interface IHtmlView
{
    /// <summary>Renders the view as an HTML fragment.</summary>
    /// <param name="idPrefix">
    /// Prefix for every element id in the fragment, so that several outputs can share one page. Leave it
    /// <see langword="null"/> to get a fresh random prefix; tests pass a fixed one. Letters, digits, '-' and
    /// '_' only, starting with a letter.
    /// </param>
    string ToHtml(string? idPrefix = null);

    /// <summary>Renders the view as plain text, for front ends that cannot show HTML.</summary>
    string ToPlainText();
}
