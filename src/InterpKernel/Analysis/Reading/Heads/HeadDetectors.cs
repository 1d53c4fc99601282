using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Scores every attention head for a known behaviour: previous-token, duplicate-token, induction, or any pattern
/// you describe. Each score lies in [0, 1] and is the mean attention a head puts where the behaviour says it should.
/// </summary>
/// <remarks>
/// All detectors reduce to <see cref="ScoreMatch(Tensor, Tensor)"/>: given a pattern
/// <c>[batch, head_index, query_pos, key_pos]</c> and a detection mask <c>[query_pos, key_pos]</c> (or
/// <c>[batch, query_pos, key_pos]</c>), the score of a head is the mean, over the batch and over the query positions
/// whose mask row is not all zero, of <c>Σ_k pattern[q, k] · mask[q, k]</c>. Query rows with nothing to detect are
/// left out rather than counted as zero, so a head that does the behaviour everywhere it can scores 1.
/// Right-padded batches count their padded positions: give rows of equal length for exact scores.
/// Results are float32 tensors on the CPU.
/// </remarks>
/// <example>
/// <code>
/// using var model = HookedTransformer.FromPretrained("models/kjv-gpt2-2l");
/// using var induction = HeadDetectors.Induction(model, seqLen: 40, batch: 4, seed: 0); // [n_layers, n_heads]
/// </code>
/// </example>
public static class HeadDetectors
{
    /// <summary>
    /// Previous-token score per head <c>[n_layers, n_heads]</c>: the mean over the batch and over query positions
    /// 1…T−1 of <c>pattern[q, q−1]</c>.
    /// </summary>
    public static Tensor PreviousToken(HookedTransformer model, Tensor tokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        var t = Batch(model, tokens);
        using var mask = PreviousTokenMask(t.shape[1]);
        return PerLayer(model, t, p => ScoreMatch(p, mask)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Duplicate-token score per head <c>[n_layers, n_heads]</c>: for each query whose token appeared earlier, the
    /// attention it pays to all earlier copies of itself (summed), averaged over such queries and the batch.
    /// </summary>
    public static Tensor DuplicateToken(HookedTransformer model, Tensor tokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        var t = Batch(model, tokens);
        var mask = DuplicateTokenMask(t);
        return PerLayer(model, t, p => ScoreMatch(p, mask)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Induction score per head <c>[n_layers, n_heads]</c> on <paramref name="batch"/> repeated random sequences
    /// (see <see cref="RepeatedTokens.Generate"/>): the mean attention from each position of the second copy to the
    /// position just after its earlier occurrence.
    /// </summary>
    public static Tensor Induction(HookedTransformer model, int seqLen = 50, int batch = 8, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        var tokens = RepeatedTokens.Generate(model, seqLen, batch, seed);
        using var mask = InductionMask(seqLen);
        return PerLayer(model, tokens, p => ScoreMatch(p, mask)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Score per head <c>[n_layers, n_heads]</c> against a custom detection pattern <c>[query_pos, key_pos]</c> or
    /// <c>[batch, query_pos, key_pos]</c> (usually 0/1; weights are allowed) matching <paramref name="tokens"/>.
    /// </summary>
    public static Tensor Match(HookedTransformer model, Tensor tokens, Tensor detectionPattern)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(detectionPattern);
        using var scope = NewDisposeScope();
        var t = Batch(model, tokens);
        long pos = t.shape[1];
        if (detectionPattern.dim() is not (2 or 3) || detectionPattern.shape[^1] != pos || detectionPattern.shape[^2] != pos)
            throw new ArgumentException(
                $"detectionPattern must be [query_pos, key_pos] or [batch, query_pos, key_pos] with {pos} positions to match the tokens, " +
                $"but has shape [{string.Join(", ", detectionPattern.shape)}].", nameof(detectionPattern));
        return PerLayer(model, t, p => ScoreMatch(p, detectionPattern)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The score per head <c>[head_index]</c> of one layer's <paramref name="pattern"/>
    /// <c>[batch, head_index, query_pos, key_pos]</c> against <paramref name="detection"/> (see the class remarks).
    /// </summary>
    public static Tensor ScoreMatch(Tensor pattern, Tensor detection)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(detection);
        if (pattern.dim() != 4 || pattern.shape[2] != pattern.shape[3])
            throw new ArgumentException(
                $"pattern must be [batch, head_index, query_pos, key_pos] with query_pos == key_pos, but has shape [{string.Join(", ", pattern.shape)}].",
                nameof(pattern));
        long pos = pattern.shape[2];
        if (detection.dim() is not (2 or 3) || detection.shape[^1] != pos || detection.shape[^2] != pos
            || (detection.dim() == 3 && detection.shape[0] != pattern.shape[0]))
            throw new ArgumentException(
                $"detection must be [{pos}, {pos}] or [{pattern.shape[0]}, {pos}, {pos}] to match the pattern, but has shape [{string.Join(", ", detection.shape)}].",
                nameof(detection));
        using var scope = NewDisposeScope();
        var p = pattern.to(ScalarType.Float32);
        var d = detection.to(ScalarType.Float32, p.device);
        if (d.dim() == 2) d = d.unsqueeze(0).expand(p.shape[0], pos, pos);
        var perQuery = (p * d.unsqueeze(1)).sum(-1);                    // [batch, head_index, query_pos]
        var valid = d.ne(0).any(-1).to(ScalarType.Float32).unsqueeze(1); // [batch, 1, query_pos]
        var count = valid.sum() * 1.0;                                    // queries per head, the same for every head
        if (count.item<float>() == 0)
            throw new ArgumentException("detection marks no key position for any query: there is nothing to score.", nameof(detection));
        var perHead = (perQuery * valid).sum([0, 2]) / count; // [head_index]
        return perHead.cpu().MoveToOuterDisposeScope();
    }

    /// <summary>Previous-token score per head <c>[head_index]</c> of one layer's pattern <c>[batch, head_index, q, k]</c>.</summary>
    public static Tensor ScorePreviousToken(Tensor pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        using var mask = PreviousTokenMask(pattern.shape[^1]);
        return ScoreMatch(pattern, mask);
    }

    /// <summary>Duplicate-token score per head <c>[head_index]</c> of one layer's pattern for <paramref name="tokens"/> <c>[batch, pos]</c>.</summary>
    public static Tensor ScoreDuplicateToken(Tensor pattern, Tensor tokens)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(tokens);
        using var scope = NewDisposeScope();
        var t = tokens.dim() == 1 ? tokens.unsqueeze(0) : tokens;
        return ScoreMatch(pattern, DuplicateTokenMask(t)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Induction score per head <c>[head_index]</c> of one layer's pattern over repeated tokens laid out as
    /// <c>[BOS, x₁…x_S, x₁…x_S]</c> with <c>S = <paramref name="seqLen"/></c>: mean of <c>pattern[q, q − S + 1]</c>
    /// for q in the second copy.
    /// </summary>
    public static Tensor ScoreInduction(Tensor pattern, int seqLen)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (seqLen < 1 || pattern.shape[^1] != 2 * seqLen + 1)
            throw new ArgumentException(
                $"A repeated sequence of {seqLen} tokens has {2 * seqLen + 1} positions (BOS + two copies), but the pattern has {pattern.shape[^1]}.",
                nameof(seqLen));
        using var mask = InductionMask(seqLen);
        return ScoreMatch(pattern, mask);
    }

    /// <summary>The detection mask <c>[pos, pos]</c> of a previous-token head: ones at <c>(q, q−1)</c>.</summary>
    public static Tensor PreviousTokenMask(long pos)
    {
        if (pos < 2) throw new ArgumentException($"A previous-token score needs at least 2 positions, got {pos}.", nameof(pos));
        return ones(pos - 1, ScalarType.Float32).diag(-1);
    }

    /// <summary>The detection mask <c>[batch, pos, pos]</c> of a duplicate-token head: ones at <c>(q, k)</c>, k &lt; q, where the tokens match.</summary>
    public static Tensor DuplicateTokenMask(Tensor tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        using var scope = NewDisposeScope();
        var t = (tokens.dim() == 1 ? tokens.unsqueeze(0) : tokens).cpu();
        var same = t.unsqueeze(2).eq(t.unsqueeze(1)).to(ScalarType.Float32); // [batch, q, k]
        return same.tril(-1).MoveToOuterDisposeScope();
    }

    /// <summary>The detection mask <c>[2S+1, 2S+1]</c> of an induction head over <c>[BOS, x₁…x_S, x₁…x_S]</c>.</summary>
    public static Tensor InductionMask(int seqLen)
    {
        if (seqLen < 1) throw new ArgumentException($"seqLen must be at least 1, got {seqLen}.", nameof(seqLen));
        long pos = 2L * seqLen + 1;
        var mask = zeros(pos, pos, ScalarType.Float32);
        // Query q of the second copy (q = S+1 … 2S) saw its token at q − S; the token after that sits at q − S + 1.
        var q = arange(seqLen + 1, 2 * seqLen + 1, ScalarType.Int64);
        using var k = q - (seqLen - 1);
        mask.index_put_(ones(seqLen, ScalarType.Float32), q, k);
        q.Dispose();
        return mask;
    }

    static Tensor Batch(HookedTransformer model, Tensor tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var t = model.PrepareTokens(tokens, 0);
        if (t.shape[1] < 2)
            throw new ArgumentException("tokens must hold at least 2 positions for attention to be scored.", nameof(tokens));
        return t;
    }

    static Tensor PerLayer(HookedTransformer model, Tensor tokens, Func<Tensor, Tensor> score)
    {
        // Every layer's pattern, scored inside its hook; the last one is all the pass needs, so it stops before the unembedding.
        var names = Enumerable.Range(0, model.Config.NLayers).Select(l => HookNames.Of("pattern", l)).ToArray();
        using var store = ActivationCapture.Capture(model, tokens, names, (_, pattern) => score(pattern));
        return stack(names.Select(n => store[n]).ToArray());
    }
}
