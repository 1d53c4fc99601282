using InterpKernel.Notebook.Views;
using Microsoft.Data.Analysis;
using Microsoft.DotNet.Interactive.Formatting;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Formatting;

/// <summary>
/// Registers text/html and text/plain formatters (and image/svg+xml for charts) for every InterpKernel view, for the analysis results (patching,
/// logit lens, activation statistics, probes, SAE metrics, ...), for TorchSharp tensors and for DataFrames with Microsoft.DotNet.Interactive.Formatting, so that a cell's value
/// shows as its view.
/// </summary>
public static class InterpKernelFormatters
{
    private const string Html = "text/html";
    private const string PlainText = "text/plain";
    private static readonly object Gate = new();

    private const string Svg = "image/svg+xml";

    /// <summary>
    /// The view types that get formatters: every public class of this assembly that implements <see cref="IHtmlView"/>,
    /// found by reflection so that a new view cannot be left without one.
    /// </summary>
    public static IReadOnlyList<Type> ViewTypes { get; } = typeof(IHtmlView).Assembly.GetExportedTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IHtmlView).IsAssignableFrom(t))
        .OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();

    /// <summary>The analysis result types that get formatters, each shown through its view in <see cref="AnalysisViews"/>.</summary>
    public static IReadOnlyList<Type> AnalysisTypes { get; } = AnalysisFormatters.Views.Select(v => v.Type).ToArray();

    /// <summary>
    /// Registers the formatters. Calling it again does nothing, unless <see cref="Formatter.ResetToDefault"/>
    /// removed them in between, in which case they are registered again.
    /// </summary>
    /// <example>
    /// <code>
    /// InterpKernelFormatters.Register();
    /// var html = Formatter.ToDisplayString(new ColoredTokensView(tokens, new NamedValues("L1 N42", values)), "text/html");
    /// </code>
    /// </example>
    public static void Register()
    {
        lock (Gate)
        {
            if (IsRegistered()) return;
            foreach (var type in ViewTypes)
            {
                Formatter.Register(type, (value, writer) => writer.Write(((IHtmlView)value).ToHtml()), Html);
                Formatter.Register(type, (value, writer) => writer.Write(((IHtmlView)value).ToPlainText()), PlainText);
                if (typeof(ISvgView).IsAssignableFrom(type))
                {
                    Formatter.Register(type, (value, writer) => writer.Write(((ISvgView)value).ToSvg()), Svg);
                }
                Formatter.SetPreferredMimeTypesFor(type, Html, PlainText);
            }
            foreach (var (type, view) in AnalysisFormatters.Views)
            {
                Formatter.Register(type, (value, writer) => writer.Write(view(value).ToHtml()), Html);
                Formatter.Register(type, (value, writer) => writer.Write(view(value).ToPlainText()), PlainText);
                // Results drawn as a chart also render as a standalone SVG; other results write nothing for it.
                Formatter.Register(type, (value, writer) => writer.Write(view(value) is ISvgView chart ? chart.ToSvg() : ""), Svg);
                Formatter.SetPreferredMimeTypesFor(type, Html, PlainText);
            }
            Formatter.Register<Tensor>((tensor, writer) => writer.Write(TensorView.From(tensor).ToHtml()), Html);
            Formatter.Register<Tensor>((tensor, writer) => writer.Write(TensorView.From(tensor).ToPlainText()), PlainText);
            Formatter.SetPreferredMimeTypesFor(typeof(Tensor), Html, PlainText);
            Formatter.Register<DataFrame>((frame, writer) => writer.Write(DataFrameView.From(frame).ToHtml()), Html);
            Formatter.Register<DataFrame>((frame, writer) => writer.Write(DataFrameView.From(frame).ToPlainText()), PlainText);
            Formatter.SetPreferredMimeTypesFor(typeof(DataFrame), Html, PlainText);
        }
    }

    /// <summary>True when this class's formatters are currently registered.</summary>
    public static bool IsRegistered() =>
        Formatter.RegisteredFormatters(false).Any(f => f.Type == typeof(AttentionPatternView) && f.MimeType == Html);
}
