using InterpKernel.Notebook.Views;

namespace InterpKernel.Notebook.Tests;

/// <summary>Plotly is an explicit choice: ToPlotly() on a chart, with plotly.js in the first Plotly output of the process only.</summary>
[Collection("Formatter")]
public class PlotlyExportTests
{
    [Fact]
    public void ToPlotly_inlines_the_local_plotly_file_once_per_process_and_the_svg_views_never_mention_plotly()
    {
        var path = Path.Combine(Path.GetTempPath(), $"plotly-stub-{Guid.NewGuid():N}.js");
        File.WriteAllText(path, "window.PlotlyStub = '</script>';");
        try
        {
            PlotlyOptions.Reset();
            PlotlyOptions.UseLocalPlotly(path);
            var first = Samples.Heatmap().ToPlotly().ToHtml("p1");
            var second = Samples.Line().ToPlotly().ToHtml("p2");
            Assert.Contains("window.PlotlyStub = '<\\/script>';", first);
            Assert.DoesNotContain("PlotlyStub", second);
            Assert.Contains("newPlot('p2-plot'", second);
            Assert.DoesNotContain("cdn.plot.ly", first + second);
            Assert.Equal(Samples.Heatmap().ToPlainText(), Samples.Heatmap().ToPlotly().ToPlainText());
            foreach (var view in new IHtmlView[] { Samples.Heatmap(), Samples.Line(), Samples.Histogram(), Samples.Bars(), Samples.Scatter() })
            {
                Assert.DoesNotContain("plotly", view.ToHtml(), StringComparison.OrdinalIgnoreCase);
            }
            var error = Assert.Throws<ArgumentException>(() => PlotlyOptions.UseLocalPlotly(path + ".missing"));
            Assert.Contains("npm install plotly.js-dist-min", error.Message);
        }
        finally
        {
            PlotlyOptions.Reset();
            File.Delete(path);
        }
    }
}
