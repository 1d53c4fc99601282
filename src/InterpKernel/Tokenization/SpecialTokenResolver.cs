namespace InterpKernel.Tokenization;

/// <summary>Decides which tokens are matched whole in input text (added and special tokens).</summary>
internal static class SpecialTokenResolver
{
    /// <param name="lookup">The tokenizer's own vocabulary lookup.</param>
    /// <param name="settings">What the folder's configuration files declare.</param>
    /// <param name="conventional">Tokens that are special for this kind of tokenizer when the vocabulary has them.</param>
    /// <param name="fromTokenizerFile">Added tokens the tokenizer file itself declares, by id.</param>
    public static Dictionary<string, int> Resolve(
        Func<string, int?> lookup,
        SpecialTokenSettings settings,
        IEnumerable<string> conventional,
        IReadOnlyDictionary<string, int>? fromTokenizerFile = null)
    {
        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, id) in settings.AddedTokens)
        {
            specials[token] = id;
        }

        if (fromTokenizerFile is not null)
        {
            // The tokenizer file is the authority on ids where it and tokenizer_config.json disagree.
            foreach (var (token, id) in fromTokenizerFile)
            {
                specials[token] = id;
            }
        }

        foreach (var token in settings.NamedTokens.Concat(conventional))
        {
            if (!specials.ContainsKey(token) && lookup(token) is { } id)
            {
                specials[token] = id;
            }
        }

        return specials;
    }
}
