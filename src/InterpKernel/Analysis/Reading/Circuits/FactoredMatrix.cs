using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// A matrix product <c>A·B</c> kept factored (<c>A [..., m, r]</c>, <c>B [..., r, n]</c>, leading batch dimensions
/// such as heads allowed) so that low-rank circuits like <c>W_E W_V W_O W_U</c> (<c>d_vocab × d_vocab</c>, rank
/// <c>d_head</c>) can be studied without forming them. Owns its two factors: dispose it.
/// </summary>
/// <remarks>
/// SVD goes through QR factorisations of <c>A</c> and <c>Bᵀ</c> and an SVD of the small <c>r × r</c> core; the
/// non-zero eigenvalues of a square <c>A·B</c> are those of <c>B·A</c> (<c>r × r</c>); the Frobenius norm is
/// <c>sqrt(Σ (AᵀA) ∘ (BBᵀ))</c>. Work is done in float32 at least.
/// </remarks>
/// <example>
/// <code>
/// using var ov = HeadCircuits.FullOV(model, layer: 1, head: 4); // [d_vocab, d_vocab], rank d_head
/// using var eig = ov.Eigenvalues();                               // complex [d_head]
/// </code>
/// </example>
public sealed class FactoredMatrix : IDisposable
{
    /// <summary>Factors <paramref name="a"/> <c>[..., m, r]</c> and <paramref name="b"/> <c>[..., r, n]</c>; the matrix takes ownership of copies of them.</summary>
    public FactoredMatrix(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.dim() < 2 || b.dim() < 2)
            throw new ArgumentException($"Both factors need at least 2 dimensions: A is [{Shape(a)}], B is [{Shape(b)}].", nameof(a));
        if (a.shape[^1] != b.shape[^2])
            throw new ArgumentException(
                $"A [{Shape(a)}] and B [{Shape(b)}] cannot be multiplied: A's last dimension must equal B's second-to-last.", nameof(b));
        using var scope = NewDisposeScope();
        var dtype = a.dtype is ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        var aa = a.to(dtype);
        var bb = b.to(dtype, a.device);
        // Broadcast batch dimensions once so every later operation sees matching leading shapes.
        var batch = broadcast_shapes(aa.shape[..^2], bb.shape[..^2]);
        A = aa.expand([.. batch, aa.shape[^2], aa.shape[^1]]).clone().DetachFromDisposeScope();
        B = bb.expand([.. batch, bb.shape[^2], bb.shape[^1]]).clone().DetachFromDisposeScope();
    }

    /// <summary>The left factor <c>[..., m, r]</c>.</summary>
    public Tensor A { get; }

    /// <summary>The right factor <c>[..., r, n]</c>.</summary>
    public Tensor B { get; }

    /// <summary>The shape of the product <c>[..., m, n]</c>.</summary>
    public long[] ProductShape => [.. A.shape[..^1], B.shape[^1]];

    /// <summary>Rows of the product (<c>m</c>).</summary>
    public long Rows => A.shape[^2];

    /// <summary>Columns of the product (<c>n</c>).</summary>
    public long Columns => B.shape[^1];

    /// <summary>The inner dimension <c>r</c>, an upper bound on the rank.</summary>
    public long InnerDim => A.shape[^1];

    /// <summary>The transpose <c>Bᵀ·Aᵀ</c>, still factored.</summary>
    public FactoredMatrix T
    {
        get
        {
            using var scope = NewDisposeScope();
            return new FactoredMatrix(B.transpose(-1, -2), A.transpose(-1, -2));
        }
    }

    /// <summary>The dense product <c>[..., m, n]</c> (may be large: <c>d_vocab × d_vocab</c> for full circuits).</summary>
    public Tensor AB() => A.matmul(B);

    /// <summary>The small product <c>B·A</c> <c>[..., r, r]</c>; needs a square matrix.</summary>
    public Tensor BA()
    {
        RequireSquare("BA");
        return B.matmul(A);
    }

    /// <summary>The Frobenius norm per matrix (<c>[...]</c>, a scalar tensor without batch dimensions).</summary>
    public Tensor FrobeniusNorm()
    {
        using var scope = NewDisposeScope();
        var gramA = A.transpose(-1, -2).matmul(A); // [..., r, r]
        var gramB = B.matmul(B.transpose(-1, -2)); // [..., r, r]
        return (gramA * gramB).sum([-2, -1]).clamp_min(0).sqrt().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The thin SVD of the product: <c>U [..., m, k]</c>, <c>S [..., k]</c> (descending), <c>Vh [..., k, n]</c> with
    /// <c>k = min(m, r, n)</c>, computed without forming the product.
    /// </summary>
    public (Tensor U, Tensor S, Tensor Vh) Svd()
    {
        using var scope = NewDisposeScope();
        long r = InnerDim;
        Tensor u, s, vh;
        if (r > Rows || r > Columns)
        {
            (u, s, vh) = linalg.svd(AB(), fullMatrices: false);
        }
        else
        {
            var (qa, ra) = linalg.qr(A);                        // A = Qa Ra, Qa [m, r]
            var (qb, rb) = linalg.qr(B.transpose(-1, -2));      // Bᵀ = Qb Rb, Qb [n, r]
            var (uc, sc, vhc) = linalg.svd(ra.matmul(rb.transpose(-1, -2)), fullMatrices: false); // core [r, r]
            u = qa.matmul(uc);
            s = sc;
            vh = vhc.matmul(qb.transpose(-1, -2));
        }
        return (u.MoveToOuterDisposeScope(), s.MoveToOuterDisposeScope(), vh.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The eigenvalues of a square product that can be non-zero, via <c>B·A</c>: complex <c>[..., r]</c> (the other
    /// <c>m − r</c> eigenvalues are zero).
    /// </summary>
    public Tensor Eigenvalues()
    {
        RequireSquare("Eigenvalues");
        using var scope = NewDisposeScope();
        return linalg.eigvals(B.matmul(A)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The composition <c>this · other</c>, still factored, through whichever inner dimension is smaller:
    /// <c>A₁ (B₁A₂B₂)</c> or <c>(A₁B₁A₂) B₂</c>.
    /// </summary>
    public FactoredMatrix Compose(FactoredMatrix other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Columns != other.Rows)
            throw new ArgumentException(
                $"Cannot compose [{string.Join(", ", ProductShape)}] with [{string.Join(", ", other.ProductShape)}]: the first has {Columns} columns, the second {other.Rows} rows.",
                nameof(other));
        using var scope = NewDisposeScope();
        return InnerDim <= other.InnerDim
            ? new FactoredMatrix(A, B.matmul(other.A).matmul(other.B))
            : new FactoredMatrix(A.matmul(B).matmul(other.A), other.B);
    }

    /// <summary><c>this · right</c> for a dense <paramref name="right"/> <c>[..., n, p]</c>, still factored.</summary>
    public FactoredMatrix Compose(Tensor right)
    {
        ArgumentNullException.ThrowIfNull(right);
        using var scope = NewDisposeScope();
        return new FactoredMatrix(A, B.matmul(right.to(B.dtype, B.device)));
    }

    /// <summary><c>left · this</c> for a dense <paramref name="left"/> <c>[..., p, m]</c>, still factored.</summary>
    public FactoredMatrix ComposeLeft(Tensor left)
    {
        ArgumentNullException.ThrowIfNull(left);
        using var scope = NewDisposeScope();
        return new FactoredMatrix(left.to(A.dtype, A.device).matmul(A), B);
    }

    /// <summary>The composition of two factored matrices.</summary>
    public static FactoredMatrix operator *(FactoredMatrix left, FactoredMatrix right) => left.Compose(right);

    /// <inheritdoc />
    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"FactoredMatrix([{string.Join(", ", ProductShape)}], inner {InnerDim})";

    void RequireSquare(string what)
    {
        if (Rows != Columns)
            throw new InvalidOperationException($"{what} needs a square product, but this one is {Rows} × {Columns}.");
    }

    static string Shape(Tensor t) => string.Join(", ", t.shape);
}
