using System.Text;
using Microsoft.ML.Tokenizers;

namespace InterpKernel.Tokenization;

/// <summary>
/// The model half of a SentencePiece-style tokenizer: its vocabulary of pieces, and how a stretch of text without
/// special tokens becomes piece ids. <see cref="SentencePieceBackend"/> does the rest (special tokens, the dummy
/// prefix, decoding).
/// </summary>
internal abstract class PieceModel
{
    public abstract IReadOnlyDictionary<string, int> Vocabulary { get; }

    /// <summary>Appends the ids of a stretch of text, spaces written as spaces (the model escapes them to "▁").</summary>
    public abstract void Encode(string text, List<int> ids);
}

/// <summary>A SentencePiece model protobuf (tokenizer.model) on the library's <see cref="SentencePieceTokenizer"/>.</summary>
internal sealed class SentencePieceProtoModel(SentencePieceTokenizer tokenizer) : PieceModel
{
    public override IReadOnlyDictionary<string, int> Vocabulary => tokenizer.Vocabulary;

    /// <summary>Whether the model's normalizer puts a "▁" in front of each text it encodes.</summary>
    public bool AddsDummyPrefix => tokenizer.AddDummyPrefix;

    public override void Encode(string text, List<int> ids) =>
        ids.AddRange(tokenizer.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false));
}

/// <summary>
/// The BPE model of a SentencePiece-style tokenizer.json, run as Hugging Face runs it: merges apply by their rank in
/// the file (the library's <see cref="BpeTokenizer"/>), and a character the vocabulary lacks becomes its UTF-8 byte
/// pieces ("&lt;0xE2&gt;") with byte_fallback, else the unknown token. SentencePiece's own BPE cannot stand in: it
/// ranks a merge by the piece it makes, while these files rank each pair, and several pairs that make the same piece
/// (runs of "▁", for one) have different ranks.
/// </summary>
internal sealed class RankedBpeModel : PieceModel
{
    private const char Metaspace = '\u2581';

    private readonly BpeTokenizer _bpe;
    private readonly Dictionary<string, int> _vocab;
    private readonly int _outsideVocabulary;
    private readonly int? _unknownId;
    private readonly bool _fuseUnknown;
    private readonly int[]? _byteIds;

    /// <param name="vocab">The model's vocabulary.</param>
    /// <param name="merges">Merge rules, highest priority first.</param>
    /// <param name="unknownToken">The unknown token, or null when the model has none.</param>
    /// <param name="fuseUnknown">Consecutive unknown characters become one unknown token (fuse_unk).</param>
    /// <param name="byteFallback">Unknown characters become byte pieces when the vocabulary has them.</param>
    /// <param name="description">Kind and source file, for messages.</param>
    public RankedBpeModel(
        Dictionary<string, int> vocab,
        IReadOnlyList<(string Left, string Right)> merges,
        string? unknownToken,
        bool fuseUnknown,
        bool byteFallback,
        string description)
    {
        _vocab = vocab;
        _unknownId = unknownToken is not null && vocab.TryGetValue(unknownToken, out var unknownId) ? unknownId : null;
        _fuseUnknown = fuseUnknown;
        if (byteFallback)
        {
            var byteIds = new int[256];
            for (var b = 0; b < 256; b++)
            {
                byteIds[b] = vocab.TryGetValue($"<0x{b:X2}>", out var id) ? id : -1;
            }

            _byteIds = byteIds;
        }

        // Characters outside the vocabulary come out of the library's BPE as this marker, with their place in the
        // text, and are replaced here. Its text holds a character no vocabulary piece can be built from.
        _outsideVocabulary = vocab.Values.Max() + 1;
        var withMarker = new Dictionary<string, int>(vocab) { ["\uFFFF<outside the vocabulary>"] = _outsideVocabulary };
        _bpe = BpeTokenizer.Create(new BpeOptions(withMarker)
        {
            Merges = merges.Select(m => ToMergeLine(m, description)).ToArray(),
            UnknownToken = "\uFFFF<outside the vocabulary>",
            FuseUnknownTokens = true,
            PreTokenizer = new SplitPreTokenizer([], specialTokens: null),
        });
    }

    public override IReadOnlyDictionary<string, int> Vocabulary => _vocab;

    public override void Encode(string text, List<int> ids)
    {
        var escaped = text.Replace(' ', Metaspace);
        var lastWasUnknown = false;
        foreach (var token in _bpe.EncodeToTokens(escaped, out _, considerPreTokenization: false, considerNormalization: false))
        {
            if (token.Id != _outsideVocabulary)
            {
                ids.Add(token.Id);
                lastWasUnknown = false;
                continue;
            }

            var (start, length) = token.Offset.GetOffsetAndLength(escaped.Length);
            foreach (var rune in escaped.AsSpan(start, length).EnumerateRunes())
            {
                if (TryAppendBytes(rune, ids))
                {
                    lastWasUnknown = false;
                }
                else if (_unknownId is { } unknown && !(lastWasUnknown && _fuseUnknown))
                {
                    ids.Add(unknown);
                    lastWasUnknown = true;
                }
            }
        }
    }

    private bool TryAppendBytes(Rune rune, List<int> ids)
    {
        if (_byteIds is null)
        {
            return false;
        }

        Span<byte> utf8 = stackalloc byte[4];
        var count = rune.EncodeToUtf8(utf8);
        for (var i = 0; i < count; i++)
        {
            if (_byteIds[utf8[i]] < 0)
            {
                return false;
            }
        }

        for (var i = 0; i < count; i++)
        {
            ids.Add(_byteIds[utf8[i]]);
        }

        return true;
    }

    private static string ToMergeLine((string Left, string Right) merge, string description)
    {
        // The library reads merges as "left right" lines; SentencePiece pieces write spaces as "▁".
        if (merge.Left.Contains(' ') || merge.Right.Contains(' '))
        {
            throw new NotSupportedException(
                $"The merge (\"{merge.Left}\", \"{merge.Right}\") of the {description} holds a space, which this library " +
                "cannot pass to its BPE model; SentencePiece-style vocabularies write spaces as \"▁\".");
        }

        return merge.Left + " " + merge.Right;
    }
}
