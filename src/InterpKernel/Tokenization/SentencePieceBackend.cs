namespace InterpKernel.Tokenization;

/// <summary>Where a SentencePiece-style tokenizer puts the "▁" that makes the first word look like every other.</summary>
internal enum DummyPrefix
{
    /// <summary>Nowhere (or the SentencePiece model adds it itself, as a tokenizer.model's normalizer does).</summary>
    None,

    /// <summary>In front of every stretch of text between special tokens (the Prepend "▁" normalizer of Llama 2).</summary>
    EverySegment,

    /// <summary>In front of every stretch of text between special tokens that does not start with a space (Metaspace "always").</summary>
    EverySegmentNotStartingWithSpace,

    /// <summary>In front of the text only when it starts with neither a special token nor a space (Metaspace "first").</summary>
    TextStartNotStartingWithSpace,
}

/// <summary>
/// SentencePiece tokenizers: tokenizer.model files (<see cref="SentencePieceProtoModel"/>) and tokenizer.json files of
/// SentencePiece origin such as Llama 2's (<see cref="RankedBpeModel"/>), with byte fallback when the model has it.
/// Special tokens are cut out here and the text between them is encoded stretch by stretch, as Hugging Face does, so
/// the dummy prefix comes back after each special token; decoding follows the tokenizer.json decoder.
/// </summary>
internal sealed class SentencePieceBackend : TokenizerBackend
{
    private const char Metaspace = '\u2581';

    private readonly PieceModel _model;
    private readonly Dictionary<string, int> _specialTokens;
    private readonly Dictionary<int, string> _idToToken;
    private readonly Dictionary<string, int> _vocab;
    private readonly SpecialTokenSplitter _splitter;
    private readonly SentencePieceDecoder _decoder;
    private readonly DummyPrefix _dummyPrefix;
    private readonly bool _splitWords;

    /// <param name="model">The pieces and how text becomes them; it sees only the text between special tokens.</param>
    /// <param name="specialTokens">Tokens matched whole in the input text.</param>
    /// <param name="decoder">How pieces become text.</param>
    /// <param name="dummyPrefix">Where a "▁" is put in front of the text the tokenizer sees.</param>
    /// <param name="splitWords">
    /// Encode each word (a "▁" and what follows up to the next one) on its own, as a Metaspace pre-tokenizer with
    /// split: true does.
    /// </param>
    /// <param name="description">Kind and source file, for messages.</param>
    public SentencePieceBackend(
        PieceModel model,
        Dictionary<string, int> specialTokens,
        SentencePieceDecoder decoder,
        DummyPrefix dummyPrefix,
        bool splitWords,
        string description)
    {
        _model = model;
        _specialTokens = specialTokens;
        _decoder = decoder;
        _dummyPrefix = dummyPrefix;
        _splitWords = splitWords;
        _splitter = new SpecialTokenSplitter(specialTokens);
        Description = description;
        _vocab = new Dictionary<string, int>(model.Vocabulary);
        _idToToken = new Dictionary<int, string>(_vocab.Count + specialTokens.Count);
        foreach (var (token, id) in _vocab)
        {
            _idToToken.TryAdd(id, token);
        }

        foreach (var (token, id) in specialTokens)
        {
            _idToToken.TryAdd(id, token);
        }

        VocabSize = _idToToken.Count;
    }

    public override IReadOnlyDictionary<string, int> SpecialTokens => _specialTokens;

    public override string Description { get; }

    public override int VocabSize { get; }

    public override int[] Encode(string text)
    {
        var ids = new List<int>();
        foreach (var (offset, length, isSpecial) in _splitter.Split(text))
        {
            var piece = text.Substring(offset, length);
            if (isSpecial)
            {
                ids.Add(_specialTokens[piece]);
            }
            else
            {
                EncodeSegment(piece, offset == 0, ids);
            }
        }

        return [.. ids];
    }

    public override string Decode(IReadOnlyList<int> ids)
    {
        var pieces = new string[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            if (!_idToToken.TryGetValue(ids[i], out var piece))
            {
                throw new ArgumentException(
                    $"Token id {ids[i]} is not in the vocabulary of the {Description} ({VocabSize} ids).", nameof(ids));
            }

            pieces[i] = piece;
        }

        return _decoder.Decode(pieces);
    }

    public override string? IdToToken(int id) => _idToToken.GetValueOrDefault(id);

    public override int? TokenToId(string token) =>
        _vocab.TryGetValue(token, out var id) ? id
        : _specialTokens.TryGetValue(token, out var special) ? special
        : null;

    private void EncodeSegment(string segment, bool atTextStart, List<int> ids)
    {
        var startsWithSpace = segment[0] is ' ' or Metaspace;
        var prefix = _dummyPrefix switch
        {
            DummyPrefix.EverySegment => true,
            DummyPrefix.EverySegmentNotStartingWithSpace => !startsWithSpace,
            DummyPrefix.TextStartNotStartingWithSpace => atTextStart && !startsWithSpace,
            _ => false,
        };
        var text = prefix ? " " + segment : segment;
        if (!_splitWords)
        {
            _model.Encode(text, ids);
            return;
        }

        // Each space (a "▁" once escaped) starts a new word that keeps it in front.
        var start = 0;
        for (var i = 1; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] is ' ' or Metaspace)
            {
                _model.Encode(text[start..i], ids);
                start = i;
            }
        }
    }
}
