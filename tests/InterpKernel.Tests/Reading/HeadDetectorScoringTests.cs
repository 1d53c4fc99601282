using InterpKernel.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Reading;

public class HeadDetectorScoringTests : IClassFixture<Kjv2lFixture>
{
    readonly HookedTransformer _model;

    public HeadDetectorScoringTests(Kjv2lFixture fixture) => _model = fixture.Model;

    /// <summary>Row q attends only to q − 1 (row 0 to itself): [batch, heads, pos, pos].</summary>
    static Tensor PreviousTokenPattern(long batch, long heads, long pos)
    {
        var p = zeros(pos, pos);
        p[0, 0] = 1;
        for (int q = 1; q < pos; q++) p[q, q - 1] = 1;
        return p.expand(batch, heads, pos, pos).contiguous();
    }

    static Tensor BosOnlyPattern(long batch, long heads, long pos)
    {
        var p = zeros(batch, heads, pos, pos);
        p[.., .., .., 0] = 1;
        return p;
    }

    [Fact]
    public void A_pattern_that_is_exactly_the_previous_token_scores_one()
    {
        using var scope = NewDisposeScope();
        var score = HeadDetectors.ScorePreviousToken(PreviousTokenPattern(2, 3, 7));
        ReadingAssert.Close(ones(3), score, 1e-6, "previous-token score");
    }

    [Fact]
    public void A_BOS_only_pattern_scores_only_the_query_whose_previous_token_is_BOS()
    {
        using var scope = NewDisposeScope();
        var pattern = BosOnlyPattern(2, 3, 7);
        // Of queries 1…6 only query 1 has BOS as its previous token.
        ReadingAssert.Close(full(3, 1.0f / 6), HeadDetectors.ScorePreviousToken(pattern), 1e-6, "previous-token score of BOS-only");
        var tokens = tensor(new long[] { 50256, 5, 7, 5, 7, 5, 9 }).unsqueeze(0).expand(2, 7);
        ReadingAssert.Close(zeros(3), HeadDetectors.ScoreDuplicateToken(pattern, tokens), 1e-6, "duplicate-token score of BOS-only");
        ReadingAssert.Close(zeros(3), HeadDetectors.ScoreInduction(BosOnlyPattern(1, 3, 7), 3), 1e-6, "induction score of BOS-only");
    }

    [Fact]
    public void Replacing_every_pattern_with_the_previous_token_makes_every_head_score_one()
    {
        using var scope = NewDisposeScope();
        var tokens = _model.ToTokens(["And God said, Let there be light", "In the beginning God created the"]);
        using (_model.Hooks(n => n.EndsWith("hook_pattern", StringComparison.Ordinal),
                   (p, _) => PreviousTokenPattern(p.shape[0], p.shape[1], p.shape[2])))
        {
            var scores = HeadDetectors.PreviousToken(_model, tokens);
            ReadingAssert.Close(ones(2, 8), scores, 1e-6, "previous-token scores under a replaced pattern");
        }
        // One unpadded row: padding reuses the BOS id, and a pad attending to BOS would rightly count as a duplicate.
        var verse = _model.ToTokens("And God called the light Day, and the darkness he called Night, and the evening");
        using (_model.Hooks(n => n.EndsWith("hook_pattern", StringComparison.Ordinal),
                   (p, _) => BosOnlyPattern(p.shape[0], p.shape[1], p.shape[2])))
        {
            var scores = HeadDetectors.DuplicateToken(_model, verse);
            ReadingAssert.Close(zeros(2, 8), scores, 1e-6, "duplicate-token scores of BOS-only patterns");
        }
    }

    [Fact]
    public void Duplicate_token_score_is_the_attention_paid_to_earlier_copies()
    {
        using var scope = NewDisposeScope();
        var tokens = tensor(new long[] { 1, 5, 7, 5, 7, 5 }).unsqueeze(0);
        // Head 0: every query with earlier copies splits its attention evenly over them. Head 1: half on copies, half on itself.
        var pattern = zeros(1, 2, 6, 6);
        for (int q = 0; q < 6; q++)
        {
            var copies = Enumerable.Range(0, q).Where(k => tokens[0, k].item<long>() == tokens[0, q].item<long>()).ToArray();
            if (copies.Length == 0) { pattern[0, 0, q, q] = 1; pattern[0, 1, q, q] = 1; continue; }
            foreach (int k in copies)
            {
                pattern[0, 0, q, k] = 1.0f / copies.Length;
                pattern[0, 1, q, k] = 0.5f / copies.Length;
            }
            pattern[0, 1, q, q] = 0.5f;
        }
        ReadingAssert.Close(tensor(new[] { 1f, 0.5f }), HeadDetectors.ScoreDuplicateToken(pattern, tokens), 1e-6, "duplicate-token score");
    }

    [Fact]
    public void Induction_score_is_the_attention_from_the_second_copy_to_the_token_after_the_first_occurrence()
    {
        using var scope = NewDisposeScope();
        const int S = 4;
        var mask = HeadDetectors.InductionMask(S); // [9, 9]
        Assert.Equal(S, mask.sum().item<float>());
        Assert.Equal(1f, mask[S + 1, 2].item<float>()); // x₁ of the second copy looks at x₂ of the first
        Assert.Equal(1f, mask[2 * S, S + 1].item<float>());
        var exact = mask.clone();
        for (int q = 0; q <= S; q++) exact[q, 0] = 1; // the first copy rests on BOS
        var pattern = stack([exact, PreviousTokenPattern(1, 1, 2 * S + 1)[0, 0]]).unsqueeze(0); // heads: induction, previous-token
        var score = HeadDetectors.ScoreInduction(pattern, S);
        ReadingAssert.Close(tensor(new[] { 1f, 0f }), score, 1e-6, "induction score");
    }

    [Fact]
    public void A_custom_detection_pattern_for_the_previous_token_gives_the_previous_token_score()
    {
        using var scope = NewDisposeScope();
        var tokens = _model.ToTokens("And the earth was without form, and void");
        var custom = HeadDetectors.Match(_model, tokens, HeadDetectors.PreviousTokenMask(tokens.shape[1]));
        var builtIn = HeadDetectors.PreviousToken(_model, tokens);
        ReadingAssert.Close(builtIn, custom, 1e-6, "custom vs built-in previous-token scores");
        Assert.Throws<ArgumentException>(() => HeadDetectors.Match(_model, tokens, ones(3, 3)));
    }

    [Fact]
    public void Repeated_tokens_are_BOS_then_two_identical_copies_of_distinct_tokens()
    {
        using var scope = NewDisposeScope();
        var tokens = RepeatedTokens.Generate(_model, seqLen: 20, batch: 3, seed: 7);
        Assert.Equal(new long[] { 3, 41 }, tokens.shape);
        Assert.True(tokens[.., 0].eq(50256).all().item<bool>());
        Assert.True(tokens[.., 1..21].eq(tokens[.., 21..]).all().item<bool>());
        for (int b = 0; b < 3; b++)
            Assert.Equal(20, tokens[b, 1..21].data<long>().Distinct().Count());
        var again = RepeatedTokens.Generate(_model, seqLen: 20, batch: 3, seed: 7);
        Assert.True(tokens.eq(again).all().item<bool>());
        Assert.Throws<ArgumentException>(() => RepeatedTokens.Generate(_model, seqLen: 200));
    }
}
