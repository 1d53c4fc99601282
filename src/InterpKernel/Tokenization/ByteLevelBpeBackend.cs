using System.Text;
using Microsoft.ML.Tokenizers;

namespace InterpKernel.Tokenization;

/// <summary>
/// Byte-level BPE (GPT-2, GPT-NeoX/Pythia, Llama 3, Qwen2) on the library's <see cref="BpeTokenizer"/>. Decoding maps
/// vocabulary characters back to bytes here, so that a lone token holding part of a UTF-8 character decodes to U+FFFD
/// as Hugging Face does.
/// </summary>
internal sealed class ByteLevelBpeBackend : TokenizerBackend
{
    private readonly BpeTokenizer _tokenizer;
    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<int, string> _idToToken;
    private readonly Dictionary<string, int> _specialTokens;
    private readonly Dictionary<int, string> _specialById;
    private readonly SplitPreTokenizer _preTokenizer;
    private readonly Normalizer? _normalizer;
    private readonly bool _ignoreMerges;

    /// <param name="vocab">The model vocabulary (byte-level strings to ids).</param>
    /// <param name="merges">Merge rules in priority order, each a pair of vocabulary strings.</param>
    /// <param name="specialTokens">Tokens matched whole in the input text (their text, not byte-level strings).</param>
    /// <param name="splitPatterns">Regexes applied in order, each isolating its matches (Hugging Face "Split").</param>
    /// <param name="normalizer">Normalization applied before splitting, or null.</param>
    /// <param name="description">Kind and source file, for messages.</param>
    /// <param name="ignoreMerges">
    /// Hugging Face's ignore_merges (Llama 3): a word that is itself in the vocabulary becomes that one token without
    /// running the merges, which can differ from what the merges would build.
    /// </param>
    public ByteLevelBpeBackend(
        Dictionary<string, int> vocab,
        IReadOnlyList<(string Left, string Right)> merges,
        Dictionary<string, int> specialTokens,
        IReadOnlyList<string> splitPatterns,
        Normalizer? normalizer,
        string description,
        bool ignoreMerges = false)
    {
        _vocab = vocab;
        _specialTokens = specialTokens;
        Description = description;
        _idToToken = new Dictionary<int, string>(vocab.Count);
        foreach (var (token, id) in vocab)
        {
            _idToToken.TryAdd(id, token);
        }

        _specialById = new Dictionary<int, string>(specialTokens.Count);
        foreach (var (token, id) in specialTokens)
        {
            _specialById[id] = token;
        }

        _normalizer = normalizer;
        _ignoreMerges = ignoreMerges;
        _preTokenizer = new SplitPreTokenizer(splitPatterns.Select(SplitPreTokenizer.Compile).ToArray(), specialTokens);
        var options = new BpeOptions(vocab)
        {
            Merges = merges.Select(m => ToMergeLine(m, description)).ToArray(),
            SpecialTokens = specialTokens,
            ByteLevel = true,
            Normalizer = normalizer,
            PreTokenizer = _preTokenizer,
        };
        _tokenizer = BpeTokenizer.Create(options);
        VocabSize = _idToToken.Keys.Concat(_specialById.Keys).Distinct().Count();
    }

    public override IReadOnlyDictionary<string, int> SpecialTokens => _specialTokens;

    public override string Description { get; }

    public override int VocabSize { get; }

    public override int[] Encode(string text)
    {
        if (!_ignoreMerges)
        {
            return [.. _tokenizer.EncodeToIds(text)];
        }

        var normalized = _normalizer?.Normalize(text) ?? text;
        var ids = new List<int>();
        foreach (var (offset, length) in _preTokenizer.PreTokenize(normalized))
        {
            var piece = normalized.Substring(offset, length);
            if (_specialTokens.TryGetValue(piece, out var special))
            {
                ids.Add(special);
            }
            else if (_vocab.TryGetValue(ByteLevelAlphabet.Encode(piece), out var whole))
            {
                ids.Add(whole);
            }
            else
            {
                ids.AddRange(_tokenizer.EncodeToIds(piece, considerPreTokenization: false, considerNormalization: false));
            }
        }

        return [.. ids];
    }

    public override string Decode(IReadOnlyList<int> ids)
    {
        var bytes = new List<byte>(ids.Count * 4);
        foreach (var id in ids)
        {
            if (_specialById.TryGetValue(id, out var special))
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(special));
            }
            else if (_idToToken.TryGetValue(id, out var token))
            {
                if (!ByteLevelAlphabet.TryAppendBytes(token, bytes))
                {
                    // Not a byte-level string (a plain-text entry): its text is what it means.
                    bytes.AddRange(Encoding.UTF8.GetBytes(token));
                }
            }
            else
            {
                throw new ArgumentException(
                    $"Token id {id} is not in the vocabulary of the {Description} (ids run from 0 to {MaxId()}).",
                    nameof(ids));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    public override string? IdToToken(int id) =>
        _idToToken.TryGetValue(id, out var token) ? token : _specialById.GetValueOrDefault(id);

    public override int? TokenToId(string token) =>
        _vocab.TryGetValue(token, out var id) ? id
        : _specialTokens.TryGetValue(token, out var special) ? special
        : null;

    private int MaxId() => Math.Max(_idToToken.Count == 0 ? 0 : _idToToken.Keys.Max(), _specialById.Count == 0 ? 0 : _specialById.Keys.Max());

    private static string ToMergeLine((string Left, string Right) merge, string description)
    {
        // The library reads merges as "left right" lines; byte-level strings never hold a real space.
        if (merge.Left.Contains(' ') || merge.Right.Contains(' '))
        {
            throw new InvalidDataException(
                $"The merge (\"{merge.Left}\", \"{merge.Right}\") of the {description} holds a space, which byte-level " +
                "vocabularies never do; the file is not a byte-level BPE tokenizer.");
        }

        return merge.Left + " " + merge.Right;
    }
}
