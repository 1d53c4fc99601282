using InterpKernel.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Reading;

public class CircuitTests : IClassFixture<Kjv2lFixture>
{
    readonly HookedTransformer _model;

    public CircuitTests(Kjv2lFixture fixture) => _model = fixture.Model;

    static FactoredMatrix Stack(params Tensor[] dense) => new(stack(dense), eye(dense[0].shape[1], dtype: dense[0].dtype).expand(dense.Length, -1, -1));

    [Fact]
    public void Composition_score_is_the_normalised_norm_of_the_product()
    {
        using var scope = NewDisposeScope();
        const int d = 16;
        var identity = eye(d);
        var first = zeros(d, d); first[0, 1] = 1;   // writes e₁ when reading e₀
        var second = zeros(d, d); second[1, 2] = 1; // reads e₁: composes with first
        var third = zeros(d, d); third[5, 6] = 1;   // reads e₅: ignores first
        using var writers = Stack(identity, first);
        using var readers = Stack(identity, second, third);
        var score = CompositionScores.Score(writers, readers); // [2, 3]
        var expected = tensor(new float[,] { { 1f / 4, 1f / 4, 1f / 4 }, { 1f / 4, 1f, 0f } });
        // ‖I·I‖ / (‖I‖‖I‖) = √16 / 16; rank-one maps that chain score 1, ones that miss score 0.
        ReadingAssert.Close(expected, score, 1e-6, "composition scores");
    }

    [Fact]
    public void Composition_scores_match_dense_weight_products_for_each_kind()
    {
        using var scope = NewDisposeScope();
        var b0 = _model.Blocks[0].Attn;
        var b1 = _model.Blocks[1].Attn;
        var ov = b0.WV[2].matmul(b0.WO[2]);
        var qk = b1.WQ[5].matmul(b1.WK[5].t());
        var ov1 = b1.WV[5].matmul(b1.WO[5]);
        double Score(Tensor x, Tensor y) => (linalg.norm(x.matmul(y)) / (linalg.norm(x) * linalg.norm(y))).item<float>();
        var expected = new Dictionary<CompositionKind, double>
        {
            [CompositionKind.Q] = Score(ov, qk), [CompositionKind.K] = Score(ov, qk.t()), [CompositionKind.V] = Score(ov, ov1),
        };
        foreach (var (kind, value) in expected)
        {
            var scores = CompositionScores.Compute(_model, kind);
            Assert.Equal(new long[] { 2, 8, 2, 8 }, scores.shape);
            Assert.Equal(value, scores[0, 2, 1, 5].item<float>(), 4);
            Assert.Equal(0f, scores[1, 0, 0, 0].item<float>()); // a later head cannot write into an earlier one
        }
        Assert.Equal(64, CompositionScores.ToDataFrame(_model).Rows.Count);
    }

    [Fact]
    public void K_composition_from_the_previous_token_head_into_the_induction_heads_stands_out()
    {
        using var scope = NewDisposeScope();
        var prev = HeadDetectors.PreviousToken(_model, _model.ToTokens("And God said, Let there be light: and there was light. And God saw the light"));
        int prevHead = (int)prev[0].argmax().item<long>();
        var induction = HeadDetectors.Induction(_model, seqLen: 30, batch: 4, seed: 3)[1].data<float>().ToArray();
        var inductionHeads = Enumerable.Range(0, 8).Where(h => induction[h] > 0.3f).ToArray();
        Assert.NotEmpty(inductionHeads);

        var k = CompositionScores.Compute(_model, CompositionKind.K)[0, .., 1, ..]; // [earlier head, later head]
        var all = k.reshape(-1).data<float>().ToArray();
        double mean = all.Average(), std = Math.Sqrt(all.Average(v => (v - mean) * (v - mean)));
        var top = Enumerable.Range(0, all.Length).OrderByDescending(i => all[i]).Take(inductionHeads.Length)
            .Select(i => (Earlier: i / 8, Later: i % 8)).ToHashSet();
        foreach (int h in inductionHeads)
        {
            float score = k[prevHead, h].item<float>();
            Assert.True(score > mean + 2 * std, $"K-comp {prevHead}→{h} = {score:F3}, mean {mean:F3} ± {std:F3}");
            Assert.Contains((prevHead, h), top);
        }
    }

    [Fact]
    public void Full_circuits_have_vocabulary_shapes_and_rank_d_head()
    {
        using var ov = HeadCircuits.FullOV(_model, 1, 4);
        Assert.Equal(new long[] { 50257, 50257 }, ov.ProductShape);
        Assert.Equal(16, ov.InnerDim);
        using var qk = HeadCircuits.FullQK(_model, 0, 4);
        Assert.Equal(new long[] { 50257, 50257 }, qk.ProductShape);
        using var pos = HeadCircuits.PositionalQK(_model, 0, 4);
        Assert.Equal(new long[] { 256, 256 }, pos.ProductShape);
        Assert.Throws<ArgumentOutOfRangeException>(() => HeadCircuits.FullOV(_model, 2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => HeadCircuits.FullOV(_model, 1, 8));
    }

    [Fact]
    public void The_positional_circuit_of_the_previous_token_head_points_at_the_previous_position()
    {
        using var scope = NewDisposeScope();
        var prev = HeadDetectors.PreviousToken(_model, _model.ToTokens("And God said, Let there be light: and there was light. And God saw the light"));
        int prevHead = (int)prev[0].argmax().item<long>();
        var positional = HeadCircuits.PositionalPreviousTokenScore(_model, 0, positions: 64);
        Assert.Equal(prevHead, (int)positional.argmax().item<long>());
    }

    [Fact]
    public void Copying_scores_are_the_signed_share_of_the_eigenvalues()
    {
        using var scope = NewDisposeScope();
        ReadingAssert.Close(tensor(1f), CopyingScores.FromEigenvalues(tensor(new[] { 1f, 2f, 3f })), 1e-6, "all positive");
        ReadingAssert.Close(tensor(-1f), CopyingScores.FromEigenvalues(tensor(new[] { -1f, -4f })), 1e-6, "all negative");
        ReadingAssert.Close(tensor(0.5f), CopyingScores.FromEigenvalues(tensor(new[] { 3f, -1f })), 1e-6, "mixed");
        var scores = CopyingScores.Compute(_model);
        Assert.Equal(new long[] { 2, 8 }, scores.shape);
        // Head (1, 4) computed by hand from the dense d_head × d_head matrix.
        var b1 = _model.Blocks[1].Attn;
        var small = b1.WO[4].matmul(_model.W_U).matmul(_model.W_E).matmul(b1.WV[4]);
        var eig = linalg.eigvals(small);
        float expected = (eig.real.sum() / eig.abs().sum()).item<float>();
        Assert.Equal(expected, scores[1, 4].item<float>(), 4);
    }

    [Fact]
    public void Vocabulary_svd_lists_top_tokens_for_both_ends_of_each_direction()
    {
        var table = VocabularySvd.OV(_model, 1, 4, directions: 3, topK: 5);
        Assert.Equal(3 * 2 * 5, table.Rows.Count);
        var sv = table["singular_value"].Cast<float>().Distinct().ToArray();
        Assert.Equal(3, sv.Length);
        Assert.True(sv[0] >= sv[1] && sv[1] >= sv[2]);
        var mlp = VocabularySvd.MlpOut(_model, 0, directions: 2, topK: 3);
        Assert.Equal(12, mlp.Rows.Count);
        Assert.All(mlp["token"].Cast<string>(), t => Assert.False(string.IsNullOrEmpty(t)));
    }
}
