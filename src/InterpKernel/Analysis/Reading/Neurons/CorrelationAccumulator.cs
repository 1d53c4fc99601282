using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Pearson correlations between every column of one stream of vectors and every column of another, accumulated
/// batch by batch (sums, sums of squares and the cross-product matrix in float64), so the rows never have to be
/// held together. Owns its accumulators: dispose it.
/// </summary>
public sealed class CorrelationAccumulator : IDisposable
{
    Tensor? _sumX, _sumY, _sumX2, _sumY2, _cross;

    /// <summary>Rows accumulated.</summary>
    public long Count { get; private set; }

    /// <summary>Adds matching rows <paramref name="x"/> <c>[n, d_x]</c> and <paramref name="y"/> <c>[n, d_y]</c>.</summary>
    public void Add(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.dim() != 2 || y.dim() != 2 || x.shape[0] != y.shape[0])
            throw new ArgumentException(
                $"x and y must be [n, d] with the same n, but are [{string.Join(", ", x.shape)}] and [{string.Join(", ", y.shape)}].", nameof(y));
        if (_cross is not null && (x.shape[1] != _sumX!.shape[0] || y.shape[1] != _sumY!.shape[0]))
            throw new ArgumentException(
                $"Every batch must have the same widths as the first ({_sumX.shape[0]}, {_sumY!.shape[0]}), got ({x.shape[1]}, {y.shape[1]}).", nameof(y));
        using var scope = NewDisposeScope();
        var xd = x.to(ScalarType.Float64);
        var yd = y.to(ScalarType.Float64, xd.device);
        if (_cross is null)
        {
            _sumX = zeros(xd.shape[1], ScalarType.Float64, xd.device).DetachFromDisposeScope();
            _sumX2 = zeros(xd.shape[1], ScalarType.Float64, xd.device).DetachFromDisposeScope();
            _sumY = zeros(yd.shape[1], ScalarType.Float64, xd.device).DetachFromDisposeScope();
            _sumY2 = zeros(yd.shape[1], ScalarType.Float64, xd.device).DetachFromDisposeScope();
            _cross = zeros(xd.shape[1], yd.shape[1], ScalarType.Float64, xd.device).DetachFromDisposeScope();
        }
        _sumX!.add_(xd.sum([0]));
        _sumX2!.add_(xd.square().sum([0]));
        _sumY!.add_(yd.sum([0]));
        _sumY2!.add_(yd.square().sum([0]));
        _cross.addmm_(xd.t(), yd);
        Count += x.shape[0];
    }

    /// <summary>Correlations <c>[d_x, d_y]</c> (float32); a column that never varied correlates 0 with everything.</summary>
    public Tensor Correlation()
    {
        if (_cross is null || Count < 2) throw new InvalidOperationException("Add at least two rows before asking for correlations.");
        using var scope = NewDisposeScope();
        double n = Count;
        var meanX = _sumX! / n;
        var meanY = _sumY! / n;
        var cov = _cross / n - meanX.outer(meanY);
        var sdX = Std(_sumX2! / n, meanX);
        var sdY = Std(_sumY2! / n, meanY);
        var r = cov / sdX.outer(sdY);
        return r.nan_to_num(0, 0, 0).clamp(-1, 1).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    // A variance lost in the rounding of E[x²] − E[x]² is treated as none, so constant columns give 0, not noise.
    static Tensor Std(Tensor meanSquare, Tensor mean)
    {
        var variance = meanSquare - mean.square();
        return variance.masked_fill(variance <= meanSquare * 1e-12, 0).sqrt();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in new[] { _sumX, _sumY, _sumX2, _sumY2, _cross }) t?.Dispose();
        _sumX = _sumY = _sumX2 = _sumY2 = _cross = null;
    }
}
