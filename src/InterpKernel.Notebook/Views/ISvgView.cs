namespace InterpKernel.Notebook.Views;

/// <summary>
/// A view drawn as SVG: besides its HTML (the SVG with hover and click-to-pin) and plain text, it renders as a
/// standalone image/svg+xml that needs no script, for front ends and exports that do not run scripts.
/// </summary>
public interface ISvgView : IHtmlView
{
    /// <summary>Renders the chart as a standalone SVG document; marks carry their values as SVG titles.</summary>
    string ToSvg();
}
