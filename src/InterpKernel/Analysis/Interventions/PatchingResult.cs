using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// A patching heatmap: <see cref="Values"/> <c>[rows, columns]</c> with a label per row and column
/// (layers, token positions, heads), the metric's name and a title. Owns its tensor: dispose it.
/// </summary>
/// <param name="Values">Metric of the patched run per cell, <c>[rows, columns]</c>.</param>
/// <param name="RowLabels">One label per row.</param>
/// <param name="ColumnLabels">One label per column.</param>
/// <param name="Metric">What the values measure.</param>
/// <param name="Title">A caption for the heatmap.</param>
public sealed record PatchingResult(Tensor Values, string[] RowLabels, string[] ColumnLabels, string Metric, string Title) : IDisposable
{
    /// <summary>Frees <see cref="Values"/>.</summary>
    public void Dispose() => Values.Dispose();
}
