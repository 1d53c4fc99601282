using Microsoft.ML.Tokenizers;

namespace InterpKernel.Tokenization;

/// <summary>
/// SentencePiece tokenizers (tokenizer.model files, and tokenizer.json files of SentencePiece origin such as Llama 2's)
/// on the library's <see cref="SentencePieceTokenizer"/>, with byte fallback when the model has it.
/// </summary>
internal sealed class SentencePieceBackend : TokenizerBackend
{
    private readonly SentencePieceTokenizer _tokenizer;
    private readonly Dictionary<string, int> _specialTokens;
    private readonly Dictionary<int, string> _idToToken;
    private readonly Dictionary<string, int> _vocab;

    /// <param name="tokenizer">A tokenizer created without automatic BOS/EOS, which <see cref="ModelTokenizer"/> adds.</param>
    /// <param name="specialTokens">Tokens matched whole in the input text; the same dictionary the tokenizer got.</param>
    /// <param name="description">Kind and source file, for messages.</param>
    public SentencePieceBackend(SentencePieceTokenizer tokenizer, Dictionary<string, int> specialTokens, string description)
    {
        _tokenizer = tokenizer;
        _specialTokens = specialTokens;
        Description = description;
        _vocab = new Dictionary<string, int>(tokenizer.Vocabulary);
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

    public override int[] Encode(string text) =>
        [.. _tokenizer.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false)];

    public override string Decode(IReadOnlyList<int> ids)
    {
        foreach (var id in ids)
        {
            if (!_idToToken.ContainsKey(id))
            {
                throw new ArgumentException(
                    $"Token id {id} is not in the vocabulary of the {Description} ({VocabSize} ids).", nameof(ids));
            }
        }

        return _tokenizer.Decode(ids, considerSpecialTokens: true);
    }

    public override string? IdToToken(int id) => _idToToken.GetValueOrDefault(id);

    public override int? TokenToId(string token) =>
        _vocab.TryGetValue(token, out var id) ? id
        : _specialTokens.TryGetValue(token, out var special) ? special
        : null;
}
