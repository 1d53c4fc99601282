using InterpKernel.Notebook.Formatting;
using InterpKernel.Notebook.Views;
using Microsoft.Data.Analysis;
using Microsoft.DotNet.Interactive.Formatting;
using TorchSharp;

namespace InterpKernel.Notebook.Tests;

[Collection("Formatter")]
public class FormatterTests
{
    [Fact]
    public void Every_view_formats_as_its_html_and_its_plain_text()
    {
        InterpKernelFormatters.Register();
        IHtmlView[] views = [Samples.Attention(), Samples.Colored(), Samples.TopK(), Samples.Heatmap(), Samples.Histogram(), Samples.Lens(), Samples.Line(), Samples.Dashboard()];
        foreach (var view in views)
        {
            var html = Formatter.ToDisplayString(view, "text/html");
            var root = Html.Parse(html).QuerySelector(".ik-view");
            Assert.True(root is not null, $"{view.GetType().Name} did not format as its view");
            Assert.Equal(view.ToPlainText(), Formatter.ToDisplayString(view, "text/plain"));
        }
    }

    [Fact]
    public void Every_public_view_type_is_found_and_registered_and_charts_also_format_as_svg()
    {
        InterpKernelFormatters.Register();
        var views = typeof(IHtmlView).Assembly.GetExportedTypes().Where(t => t.IsClass && !t.IsAbstract && typeof(IHtmlView).IsAssignableFrom(t)).ToArray();
        Assert.Equal(views.OrderBy(t => t.Name), InterpKernelFormatters.ViewTypes);
        foreach (var type in new[] { typeof(StackedView), typeof(HeatmapGridView), typeof(SummaryTableView), typeof(ActivationDistributionView), typeof(ActivatingExamplesView), typeof(TokenEffectsView), typeof(BarChartView), typeof(ScatterChartView) })
        {
            Assert.Contains(type, InterpKernelFormatters.ViewTypes);
        }
        var registered = Formatter.RegisteredFormatters(false).ToArray();
        foreach (var type in views)
        {
            Assert.Contains(registered, f => f.Type == type && f.MimeType == "text/html");
            Assert.Contains(registered, f => f.Type == type && f.MimeType == "text/plain");
        }
        Assert.StartsWith("<svg xmlns=", Formatter.ToDisplayString(Samples.Bars(), "image/svg+xml"));
        var stack = new StackedView("two charts", Samples.Line(), Samples.Bars());
        var html = Formatter.ToDisplayString(stack, "text/html");
        Assert.Equal(2, Html.Parse(html).QuerySelectorAll(".ik-stack svg.ik-plot").Length);
        Assert.Equal(1, html.Split("window.__ikChart=window.__ikChart||").Length - 1);
    }

    [Fact]
    public void Tensors_and_dataframes_format_as_truncated_tables()
    {
        InterpKernelFormatters.Register();
        using var t = torch.zeros(1000, 1000);
        var html = Formatter.ToDisplayString(t, "text/html");
        Assert.Equal("tensor [1000, 1000] · Float32 · cpu", Html.Parse(html).QuerySelector("caption")!.TextContent);
        Assert.True(html.Length < 40_000);
        Assert.StartsWith("tensor [1000, 1000]", Formatter.ToDisplayString(t, "text/plain"));
        var frame = new DataFrame(new Int32DataFrameColumn("x", Enumerable.Range(0, 60)));
        Assert.Contains("10 more rows", Formatter.ToDisplayString(frame, "text/html"));
    }

    [Fact]
    public void Registering_twice_adds_nothing_and_a_reset_lets_it_register_again()
    {
        InterpKernelFormatters.Register();
        int count = Formatter.RegisteredFormatters(false).Count();
        InterpKernelFormatters.Register();
        Assert.Equal(count, Formatter.RegisteredFormatters(false).Count());
        Formatter.ResetToDefault();
        Assert.False(InterpKernelFormatters.IsRegistered());
        InterpKernelFormatters.Register();
        Assert.True(InterpKernelFormatters.IsRegistered());
        Assert.Contains("ik-colored", Formatter.ToDisplayString(Samples.Colored(), "text/html"));
    }
}
