using Microsoft.Data.Analysis;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Q-, K- and V-composition scores between every earlier head and every later head, as defined in "A Mathematical
/// Framework for Transformer Circuits": <c>‖W_A W_B‖_F / (‖W_A‖_F ‖W_B‖_F)</c> with <c>W_A = W_OV</c> of the
/// earlier head and <c>W_B</c> the later head's <c>W_QK</c> (Q), <c>W_QKᵀ</c> (K, the key side) or <c>W_OV</c> (V).
/// </summary>
/// <remarks>
/// Raw weights (no LayerNorm folding, no biases), row-vector convention (<c>x W_OV</c> is what a head writes,
/// <c>x_q W_QK x_kᵀ</c> its score). Scores of unrelated random matrices sit near <c>1/sqrt(d_model)</c>; a score well
/// above the other pairs marks a circuit such as previous-token → induction (K-composition).
/// All products are computed factored, so the cost is in <c>d_head</c>, not <c>d_model</c>.
/// </remarks>
/// <example>
/// <code>
/// using var k = CompositionScores.Compute(model, CompositionKind.K); // [n_layers, n_heads, n_layers, n_heads]
/// float prevToInduction = k[0, 3, 1, 6].item&lt;float&gt;();
/// </code>
/// </example>
public static class CompositionScores
{
    /// <summary>
    /// Scores <c>[n_layers, n_heads, n_layers, n_heads]</c> (float32, CPU): entry <c>[l₁, h₁, l₂, h₂]</c> is the
    /// composition of earlier head <c>(l₁, h₁)</c> into later head <c>(l₂, h₂)</c>; entries with <c>l₁ ≥ l₂</c> are 0.
    /// </summary>
    public static Tensor Compute(HookedTransformer model, CompositionKind kind)
    {
        ArgumentNullException.ThrowIfNull(model);
        int layers = model.Config.NLayers, heads = model.Config.NHeads;
        using var scope = NewDisposeScope();
        var result = zeros(layers, heads, layers, heads, ScalarType.Float32);
        for (int early = 0; early < layers; early++)
        {
            using var ov = HeadCircuits.OV(model, early);
            for (int late = early + 1; late < layers; late++)
            {
                using var right = Reader(model, late, kind);
                result[early, .., late, ..] = Score(ov, right).cpu();
            }
        }
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The composition score of every pair <c>[n_left, n_right]</c> for <paramref name="writers"/> <c>[n_left, d, d]</c>
    /// and <paramref name="readers"/> <c>[n_right, d, d]</c>: <c>‖W_A W_B‖_F / (‖W_A‖_F ‖W_B‖_F)</c>.
    /// </summary>
    public static Tensor Score(FactoredMatrix writers, FactoredMatrix readers)
    {
        ArgumentNullException.ThrowIfNull(writers);
        ArgumentNullException.ThrowIfNull(readers);
        if (writers.A.dim() != 3 || readers.A.dim() != 3)
            throw new ArgumentException("writers and readers must each be a stack of matrices [n, d, d] (one per head).", nameof(writers));
        using var scope = NewDisposeScope();
        using var left = new FactoredMatrix(writers.A.unsqueeze(1), writers.B.unsqueeze(1));  // [n_left, 1, d, d]
        using var right = new FactoredMatrix(readers.A.unsqueeze(0), readers.B.unsqueeze(0)); // [1, n_right, d, d]
        using var product = left.Compose(right);                                                // [n_left, n_right, d, d]
        var numerator = product.FrobeniusNorm();
        var denominator = writers.FrobeniusNorm().unsqueeze(1) * readers.FrobeniusNorm().unsqueeze(0);
        return (numerator / denominator).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// All three kinds as one table with a row per (earlier head, later head) pair: <c>earlier_layer</c>,
    /// <c>earlier_head</c>, <c>later_layer</c>, <c>later_head</c>, <c>q</c>, <c>k</c>, <c>v</c>.
    /// </summary>
    public static DataFrame ToDataFrame(HookedTransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var q = Compute(model, CompositionKind.Q);
        using var k = Compute(model, CompositionKind.K);
        using var v = Compute(model, CompositionKind.V);
        var qd = q.data<float>().ToArray();
        var kd = k.data<float>().ToArray();
        var vd = v.data<float>().ToArray();
        int layers = model.Config.NLayers, heads = model.Config.NHeads;
        var cols = (el: new List<int>(), eh: new List<int>(), ll: new List<int>(), lh: new List<int>(), q: new List<float>(), k: new List<float>(), v: new List<float>());
        for (int l1 = 0; l1 < layers; l1++)
            for (int h1 = 0; h1 < heads; h1++)
                for (int l2 = l1 + 1; l2 < layers; l2++)
                    for (int h2 = 0; h2 < heads; h2++)
                    {
                        int i = ((l1 * heads + h1) * layers + l2) * heads + h2;
                        cols.el.Add(l1); cols.eh.Add(h1); cols.ll.Add(l2); cols.lh.Add(h2);
                        cols.q.Add(qd[i]); cols.k.Add(kd[i]); cols.v.Add(vd[i]);
                    }
        return new DataFrame(
            new PrimitiveDataFrameColumn<int>("earlier_layer", cols.el), new PrimitiveDataFrameColumn<int>("earlier_head", cols.eh),
            new PrimitiveDataFrameColumn<int>("later_layer", cols.ll), new PrimitiveDataFrameColumn<int>("later_head", cols.lh),
            new PrimitiveDataFrameColumn<float>("q", cols.q), new PrimitiveDataFrameColumn<float>("k", cols.k),
            new PrimitiveDataFrameColumn<float>("v", cols.v));
    }

    static FactoredMatrix Reader(HookedTransformer model, int layer, CompositionKind kind)
    {
        switch (kind)
        {
            case CompositionKind.Q:
                return HeadCircuits.QK(model, layer);
            case CompositionKind.K:
                using (var qk = HeadCircuits.QK(model, layer)) return qk.T;
            case CompositionKind.V:
                return HeadCircuits.OV(model, layer);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "kind must be Q, K or V.");
        }
    }
}
