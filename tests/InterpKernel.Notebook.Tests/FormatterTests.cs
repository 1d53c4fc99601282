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
