namespace InterpKernel.Analysis;

/// <summary>
/// The best sequences a search found, next to the target on random sequences of the same length and, when a text was
/// given, the best examples from it, so one can judge how far (and how unnaturally) the optimum lies above them.
/// </summary>
/// <param name="Target">What was maximised.</param>
/// <param name="Method"><c>greedy coordinate gradient</c> or <c>continuous embeddings</c>.</param>
/// <param name="Best">The best sequences, highest first.</param>
/// <param name="RandomMean">Mean of the target over random token sequences of the same length.</param>
/// <param name="RandomMax">Highest value over those random sequences.</param>
/// <param name="TextExamples">The highest-activating positions of the reference text (empty when none was given).</param>
public sealed record MaximisationResult(string Target, string Method, IReadOnlyList<MaximisedSequence> Best, double RandomMean, double RandomMax,
    IReadOnlyList<TextExample> TextExamples)
{
    /// <inheritdoc />
    public override string ToString()
    {
        var lines = new List<string> { $"{Method} on {Target}: random mean {RandomMean:F3}, random max {RandomMax:F3}" };
        lines.AddRange(Best.Select(b => $"  optimised {b.Activation,9:F3}  {string.Join("|", b.StrTokens)}"));
        lines.AddRange(TextExamples.Select(e => $"  text      {e.Activation,9:F3}  …{e.Context[Math.Max(0, e.Context.Length - 60)..]}"));
        return string.Join(Environment.NewLine, lines);
    }
}
