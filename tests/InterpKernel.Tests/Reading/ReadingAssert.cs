using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Reading;

internal static class ReadingAssert
{
    public static void Close(Tensor expected, Tensor actual, double tol, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var e = expected.to(ScalarType.Float64).cpu();
        using var a = actual.to(ScalarType.Float64).cpu();
        using var diff = (e - a).abs().max();
        double d = diff.item<double>();
        Assert.True(d <= tol, $"{what}: max difference {d} exceeds {tol}");
    }

    /// <summary>The (layer, head) of the largest score in a [n_layers, n_heads] tensor.</summary>
    public static (int Layer, int Head) ArgMax(Tensor scores)
    {
        int heads = (int)scores.shape[1];
        int flat = (int)scores.reshape(-1).argmax().item<long>();
        return (flat / heads, flat % heads);
    }
}
