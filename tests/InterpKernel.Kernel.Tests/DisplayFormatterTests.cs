using InterpKernel.Kernel.Execution;
using InterpKernel.Notebook.Formatting;
using InterpKernel.Notebook.Views;

namespace InterpKernel.Kernel.Tests;

public class DisplayFormatterTests
{
    public DisplayFormatterTests() => InterpKernelFormatters.Register();

    [Fact]
    public void A_chart_is_sent_as_html_svg_and_text_so_viewers_without_scripts_still_show_it()
    {
        var chart = new PatchingHeatmapView([[0.1f, -0.4f], [0.3f, 0.0f]], ["L0", "L1"], ["a", "b"], "patching");
        var bundle = DisplayFormatter.ToBundle(chart);
        Assert.Contains("<svg", bundle[DisplayFormatter.Html], StringComparison.Ordinal);
        Assert.StartsWith("<svg", bundle[DisplayFormatter.Svg].TrimStart(), StringComparison.Ordinal);
        Assert.DoesNotContain("<script", bundle[DisplayFormatter.Svg], StringComparison.Ordinal);
        Assert.True(bundle.ContainsKey(DisplayFormatter.PlainText));
    }

    [Fact]
    public void Views_that_are_not_charts_and_plain_values_get_no_svg()
    {
        var tokens = new ColoredTokensView(["a", "b"], new NamedValues("x", [1f, -1f]));
        Assert.False(DisplayFormatter.ToBundle(tokens).ContainsKey(DisplayFormatter.Svg));
        Assert.False(DisplayFormatter.ToBundle(new[] { 1, 2 }).ContainsKey(DisplayFormatter.Svg));
        Assert.False(DisplayFormatter.ToBundle(42).ContainsKey(DisplayFormatter.Svg));
    }
}
