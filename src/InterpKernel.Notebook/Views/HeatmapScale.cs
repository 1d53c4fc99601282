namespace InterpKernel.Notebook.Views;

/// <summary>How a heatmap maps values to colours.</summary>
public enum HeatmapScale
{
    /// <summary>Blue for negative, white at zero, red for positive, symmetric around zero.</summary>
    Diverging,

    /// <summary>White at 0 to blue at 1, for metrics already normalised to [0, 1].</summary>
    Unit,
}
