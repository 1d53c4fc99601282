using XPlot.Plotly;
using PlotLayout = XPlot.Plotly.Layout.Layout;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// <c>ToPlotly()</c>: the same data as a chart view, drawn by Plotly instead of as SVG. The SVG views need nothing;
/// Plotly needs plotly.js, which <see cref="PlotlyOptions"/> supplies once per process.
/// </summary>
/// <example>
/// <code>
/// display(AnalysisViews.Patching(patching).ToPlotly());
/// </code>
/// </example>
public static class PlotlyExport
{
    /// <summary>The heatmap as a Plotly heatmap with the same labels and colour scale.</summary>
    /// <param name="view">The heatmap.</param>
    public static PlotlyView ToPlotly(this PatchingHeatmapView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        int height = Math.Clamp(140 + 24 * view.RowLabels.Length, 260, 900);
        return new PlotlyView(() =>
        {
            bool diverging = view.Scale == HeatmapScale.Diverging;
            double limit = diverging ? ColorScale.SymmetricLimit(view.Values.SelectMany(r => r)) : 1;
            var heatmap = new Heatmap
            {
                z = view.Values.Select(PlotlyFigure.Finite).ToArray(),
                x = Distinct(view.ColumnLabels),
                y = Distinct(view.RowLabels),
                zmin = diverging ? -limit : 0,
                zmax = limit,
                colorscale = diverging
                    ? new object[] { new object[] { 0.0, "rgb(33,102,172)" }, new object[] { 0.5, "rgb(255,255,255)" }, new object[] { 1.0, "rgb(178,24,43)" } }
                    : new object[] { new object[] { 0.0, "rgb(255,255,255)" }, new object[] { 1.0, "rgb(8,81,156)" } },
            };
            var layout = new PlotLayout
            {
                title = view.Title,
                height = height,
                margin = new Margin { l = 90, r = 30, t = 50, b = 110 },
                xaxis = new Xaxis { title = view.XTitle, type = "category", tickangle = -45 },
                yaxis = new Yaxis { title = view.YTitle, type = "category", autorange = "reversed" },
            };
            return Chart.Plot(heatmap, layout);
        }, height, view.ToPlainText);
    }

    /// <summary>The curves as Plotly lines with markers.</summary>
    /// <param name="view">The line chart.</param>
    public static PlotlyView ToPlotly(this LineChartView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new PlotlyView(() => Chart.Plot(
            view.Series.Select(s => new Scatter { x = Distinct(view.XLabels), y = PlotlyFigure.Finite(s.Values), name = s.Name, mode = "lines+markers" }).ToArray(),
            Layout(view.Title, view.XTitle, view.YTitle, "category")), 360, view.ToPlainText);
    }

    /// <summary>The sets of values as overlaid Plotly histograms.</summary>
    /// <param name="view">The histogram.</param>
    public static PlotlyView ToPlotly(this HistogramView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new PlotlyView(() =>
        {
            var layout = Layout(view.Title, view.XTitle, "count", "linear");
            layout.barmode = "overlay";
            return Chart.Plot(view.Series.Select(s =>
            {
                var trace = new Histogram { x = PlotlyFigure.Finite(s.Values), name = s.Name, opacity = view.Series.Length > 1 ? 0.6 : 0.85 };
                if (view.Bins is int bins) trace.nbinsx = bins;
                return trace;
            }).ToArray(), layout);
        }, 360, view.ToPlainText);
    }

    /// <summary>The series as Plotly bars, grouped.</summary>
    /// <param name="view">The bar chart.</param>
    public static PlotlyView ToPlotly(this BarChartView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new PlotlyView(() => Chart.Plot(
            view.Series.Select(s => new Bar { x = Distinct(view.Labels), y = PlotlyFigure.Finite(s.Values), name = s.Name }).ToArray(),
            Layout(view.Title, view.XTitle, view.YTitle, "category")), 360, view.ToPlainText);
    }

    /// <summary>The points as a Plotly scatter plot.</summary>
    /// <param name="view">The scatter chart.</param>
    public static PlotlyView ToPlotly(this ScatterChartView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new PlotlyView(() => Chart.Plot(
            view.Series.Select(s => new Scatter { x = PlotlyFigure.Finite(s.X), y = PlotlyFigure.Finite(s.Y), name = s.Name, mode = "markers", text = s.Labels }).ToArray(),
            Layout(view.Title, view.XTitle, view.YTitle, "linear")), 360, view.ToPlainText);
    }

    private static PlotLayout Layout(string title, string xTitle, string yTitle, string xType) => new()
    {
        title = title,
        height = 360,
        margin = new Margin { l = 60, r = 20, t = 50, b = 60 },
        xaxis = new Xaxis { title = xTitle, type = xType },
        yaxis = new Yaxis { title = yTitle },
    };

    /// <summary>Plotly merges equal category labels, so repeated ones get their position in front: "3: the".</summary>
    private static string[] Distinct(string[] labels) =>
        labels.Distinct(StringComparer.Ordinal).Count() == labels.Length ? labels : labels.Select((l, i) => $"{i}: {l}").ToArray();
}
