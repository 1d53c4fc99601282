using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Copying scores from the eigenvalues of each head's full OV circuit <c>W_E W_V W_O W_U</c>: a head that copies the
/// tokens it attends to (raising their logits) has mostly positive eigenvalues.
/// </summary>
/// <remarks>
/// The score is <c>Σ Re λᵢ / Σ |λᵢ|</c> over the (at most <c>d_head</c>) non-zero eigenvalues, which are those of the
/// small <c>W_O W_U W_E W_V</c> (<see cref="FactoredMatrix.Eigenvalues"/>). It lies in [−1, 1]: 1 for a pure copying
/// head, −1 for a head that suppresses what it reads. Raw weights, no LayerNorm folding.
/// </remarks>
public static class CopyingScores
{
    /// <summary>Copying score per head <c>[n_layers, n_heads]</c> (float32, CPU).</summary>
    public static Tensor Compute(HookedTransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        var e = HeadCircuits.Embedding(model);
        var u = HeadCircuits.Unembedding(model);
        var rows = new Tensor[model.Config.NLayers];
        for (int l = 0; l < model.Config.NLayers; l++)
        {
            var (_, _, wv, wo) = HeadCircuits.Weights(model, l);
            // B·A of the full circuit, for all heads at once: [n_heads, d_head, d_head].
            var small = wo.matmul(u).matmul(e).matmul(wv);
            rows[l] = FromEigenvalues(linalg.eigvals(small));
        }
        return stack(rows).cpu().MoveToOuterDisposeScope();
    }

    /// <summary><c>Σ Re λ / Σ |λ|</c> over the last dimension of complex (or real) <paramref name="eigenvalues"/>.</summary>
    public static Tensor FromEigenvalues(Tensor eigenvalues)
    {
        ArgumentNullException.ThrowIfNull(eigenvalues);
        using var scope = NewDisposeScope();
        var re = eigenvalues.is_complex() ? eigenvalues.real : eigenvalues;
        return (re.sum(-1) / eigenvalues.abs().sum(-1)).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }
}
