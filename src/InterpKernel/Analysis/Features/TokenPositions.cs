namespace InterpKernel.Analysis;

/// <summary>
/// Which token positions of a prompt to read: the last one, every one, the ones whose token matches a string, or
/// fixed indices (negative ones count from the end, <c>-1</c> being the last token).
/// </summary>
/// <example><code>var where = TokenPositions.Matching(" Isaac"); // every position holding the token " Isaac"</code></example>
public sealed class TokenPositions
{
    readonly Func<IReadOnlyList<string>, IEnumerable<int>> _select;

    TokenPositions(string description, Func<IReadOnlyList<string>, IEnumerable<int>> select)
    {
        Description = description;
        _select = select;
    }

    /// <summary>The last token of each prompt (the default).</summary>
    public static TokenPositions Last { get; } = new("last token", t => t.Count == 0 ? [] : [t.Count - 1]);

    /// <summary>Every token of each prompt, BOS included.</summary>
    public static TokenPositions All { get; } = new("every token", t => Enumerable.Range(0, t.Count));

    /// <summary>
    /// Every position whose token, with surrounding whitespace trimmed, equals <paramref name="token"/> trimmed
    /// (ordinal comparison), so <c>"Isaac"</c> matches the token <c>" Isaac"</c>.
    /// </summary>
    public static TokenPositions Matching(string token)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        string wanted = token.Trim();
        return new($"tokens matching '{wanted}'", t => Enumerable.Range(0, t.Count).Where(i => string.Equals(t[i].Trim(), wanted, StringComparison.Ordinal)));
    }

    /// <summary>Fixed positions; negative ones count from the end. Positions a prompt lacks are skipped for it.</summary>
    public static TokenPositions At(params int[] positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (positions.Length == 0) throw new ArgumentException("Give at least one position.", nameof(positions));
        var copy = positions.ToArray();
        return new($"positions {string.Join(", ", copy)}", t => copy
            .Select(p => p < 0 ? t.Count + p : p)
            .Where(p => p >= 0 && p < t.Count)
            .Distinct()
            .Order());
    }

    /// <summary>What this selection reads, in words.</summary>
    public string Description { get; }

    /// <summary>The selected positions of a prompt given its tokens as strings, in increasing order.</summary>
    public IReadOnlyList<int> Select(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return _select(tokens).ToArray();
    }

    /// <inheritdoc />
    public override string ToString() => Description;
}
