using System.Text;

namespace InterpKernel.Notebook.Views.Charts;

/// <summary>A view drawn as SVG whose body can share one output (style and chart script) with other views.</summary>
internal interface IChartBody
{
    /// <summary>The CSS class naming the kind of chart on its element, such as ik-heatmap.</summary>
    string Kind { get; }

    /// <summary>Appends the chart (and anything shown with it, such as a table) without style or script.</summary>
    void AppendBody(StringBuilder html, string id);
}
