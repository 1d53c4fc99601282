namespace InterpKernel.Tokenization;

/// <summary>
/// What <see cref="ModelTokenizer"/> needs from a built tokenizer, whichever file it came from.
/// </summary>
internal abstract class TokenizerBackend
{
    /// <summary>Tokens matched whole before the model sees the text (added and special tokens), by id.</summary>
    public abstract IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>What kind of tokenizer this is and which file it came from, for messages.</summary>
    public abstract string Description { get; }

    /// <summary>Number of ids, added tokens included.</summary>
    public abstract int VocabSize { get; }

    /// <summary>Ids of the text, with nothing added in front or behind.</summary>
    public abstract int[] Encode(string text);

    /// <summary>The text of the ids, special tokens written out as their text.</summary>
    public abstract string Decode(IReadOnlyList<int> ids);

    /// <summary>The raw vocabulary string of an id, or null when the id is unknown.</summary>
    public abstract string? IdToToken(int id);

    /// <summary>The id of a raw vocabulary string, or null when it is not in the vocabulary.</summary>
    public abstract int? TokenToId(string token);
}
