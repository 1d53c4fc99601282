using InterpKernel.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Reading;

public class FactoredMatrixTests
{
    static (Tensor A, Tensor B) Factors(long m, long r, long n, int seed)
    {
        var g = new Generator((ulong)seed);
        return (randn([m, r], generator: g, dtype: ScalarType.Float64), randn([r, n], generator: g, dtype: ScalarType.Float64));
    }

    [Fact]
    public void Singular_values_match_those_of_the_dense_product()
    {
        using var scope = NewDisposeScope();
        var (a, b) = Factors(40, 5, 30, 1);
        using var f = new FactoredMatrix(a, b);
        var (u, s, vh) = f.Svd();
        var dense = a.matmul(b);
        var expected = linalg.svdvals(dense)[..5];
        ReadingAssert.Close(expected, s, 1e-9, "singular values");
        ReadingAssert.Close(dense, u.matmul(diag(s)).matmul(vh), 1e-9, "U S Vh rebuilds the product");
        Assert.Equal(new long[] { 40, 5 }, u.shape);
        Assert.Equal(new long[] { 5, 30 }, vh.shape);
    }

    [Fact]
    public void Eigenvalues_come_from_the_small_BA_matrix_and_match_the_dense_product()
    {
        using var scope = NewDisposeScope();
        var (a, b) = Factors(25, 4, 25, 2);
        using var f = new FactoredMatrix(a, b);
        var small = f.Eigenvalues();
        Assert.Equal(new long[] { 4 }, small.shape);
        var dense = linalg.eigvals(a.matmul(b));
        // The dense product has 4 non-zero eigenvalues and 21 (numerically) zero ones.
        var denseTop = dense.abs().sort(descending: true).Values[..4];
        ReadingAssert.Close(denseTop, small.abs().sort(descending: true).Values, 1e-8, "eigenvalue magnitudes");
        ReadingAssert.Close(dense.real.sum(), small.real.sum(), 1e-8, "trace");
    }

    [Fact]
    public void Frobenius_norm_transpose_and_composition_agree_with_dense_products()
    {
        using var scope = NewDisposeScope();
        var (a, b) = Factors(20, 3, 15, 3);
        var (c, d) = Factors(15, 6, 10, 4);
        using var f = new FactoredMatrix(a, b);
        using var g = new FactoredMatrix(c, d);
        ReadingAssert.Close(linalg.norm(a.matmul(b)), f.FrobeniusNorm(), 1e-9, "Frobenius norm");
        using var t = f.T;
        ReadingAssert.Close(a.matmul(b).t(), t.AB(), 1e-12, "transpose");
        using var fg = f * g;
        Assert.Equal(3, fg.InnerDim); // composed through the smaller inner dimension
        ReadingAssert.Close(a.matmul(b).matmul(c).matmul(d), fg.AB(), 1e-9, "composition");
        using var withDense = f.Compose(c);
        ReadingAssert.Close(a.matmul(b).matmul(c), withDense.AB(), 1e-9, "composition with a dense matrix");
        Assert.Equal(new long[] { 20, 15 }, f.ProductShape);
        Assert.Throws<ArgumentException>(() => f.Compose(f));
        Assert.Throws<InvalidOperationException>(() => f.Eigenvalues());
    }

    [Fact]
    public void Batched_factors_give_one_norm_per_matrix()
    {
        using var scope = NewDisposeScope();
        var a = randn(3, 8, 2, dtype: ScalarType.Float64);
        var b = randn(3, 2, 8, dtype: ScalarType.Float64);
        using var f = new FactoredMatrix(a, b);
        var expected = stack(Enumerable.Range(0, 3).Select(i => linalg.norm(a[i].matmul(b[i]))).ToArray());
        ReadingAssert.Close(expected, f.FrobeniusNorm(), 1e-9, "per-head norms");
    }
}
