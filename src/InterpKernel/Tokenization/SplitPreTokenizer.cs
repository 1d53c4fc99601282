using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace InterpKernel.Tokenization;

/// <summary>
/// Splits text the way Hugging Face's <c>Split</c> pre-tokenizer does with the "Isolated" behaviour: every regex
/// match becomes a piece, and so does the text between matches. Several regexes apply one after another, each on the
/// pieces of the previous one. Special tokens are cut out first and handed on whole, as Hugging Face does with added
/// tokens. (The library's <see cref="RegexPreTokenizer"/> drops text between matches, which changes the result for
/// patterns that do not cover every character.)
/// Hugging Face matches on Unicode code points, while .NET regexes see UTF-16 code units, to which a character outside
/// the Basic Multilingual Plane is two surrogates of category Cs: "𝔘" would not be <c>\p{L}</c> and "𝟏" not
/// <c>\p{N}</c>. Text holding such characters is therefore matched through a stand-in string with one character per
/// code point (see <see cref="CodePointStandIn"/>).
/// </summary>
internal sealed class SplitPreTokenizer : PreTokenizer
{
    /// <summary>GPT-2's split pattern, which byte-level BPE uses when a file asks for the default regex.</summary>
    public const string Gpt2Pattern =
        @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private readonly Regex[] _patterns;
    private readonly SpecialTokenSplitter? _specialTokens;

    public SplitPreTokenizer(IReadOnlyList<Regex> patterns, IReadOnlyDictionary<string, int>? specialTokens)
    {
        _patterns = patterns.ToArray();
        if (specialTokens is { Count: > 0 })
        {
            _specialTokens = new SpecialTokenSplitter(specialTokens);
        }
    }

    public static Regex Compile(string pattern) =>
        new(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) =>
        string.IsNullOrEmpty(text) ? [] : Split(text.AsSpan());

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) =>
        text.IsEmpty ? [] : Split(text);

    private List<(int Offset, int Length)> Split(ReadOnlySpan<char> text)
    {
        var pieces = new List<(int Offset, int Length)>();
        if (_specialTokens is null)
        {
            SplitPlain(text, 0, text.Length, pieces);
            return pieces;
        }

        foreach (var (offset, length, isSpecial) in _specialTokens.Split(text))
        {
            if (isSpecial)
            {
                pieces.Add((offset, length));
            }
            else
            {
                SplitPlain(text, offset, length, pieces);
            }
        }

        return pieces;
    }

    private void SplitPlain(ReadOnlySpan<char> text, int offset, int length, List<(int Offset, int Length)> output)
    {
        if (length == 0)
        {
            return;
        }

        var plain = text.Slice(offset, length);
        if (!plain.ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            SplitByPatterns(plain, offset, output);
            return;
        }

        var standIn = CodePointStandIn.Create(plain);
        var pieces = new List<(int Offset, int Length)>();
        SplitByPatterns(standIn.Text, 0, pieces);
        foreach (var (pieceOffset, pieceLength) in pieces)
        {
            var (start, end) = standIn.ToOriginal(pieceOffset, pieceLength);
            output.Add((offset + start, end - start));
        }
    }

    /// <summary>Applies the patterns to <paramref name="text"/>, adding pieces shifted by <paramref name="offset"/>.</summary>
    private void SplitByPatterns(ReadOnlySpan<char> text, int offset, List<(int Offset, int Length)> output)
    {
        var current = new List<(int Offset, int Length)> { (0, text.Length) };
        foreach (var pattern in _patterns)
        {
            var next = new List<(int Offset, int Length)>(current.Count * 2);
            foreach (var (pieceOffset, pieceLength) in current)
            {
                // The piece is matched as a whole input of its own, so anchors and look-arounds stop at its edges.
                var piece = text.Slice(pieceOffset, pieceLength);
                var cursor = 0;
                foreach (var match in pattern.EnumerateMatches(piece))
                {
                    if (match.Length == 0)
                    {
                        continue;
                    }

                    if (match.Index > cursor)
                    {
                        next.Add((pieceOffset + cursor, match.Index - cursor));
                    }

                    next.Add((pieceOffset + match.Index, match.Length));
                    cursor = match.Index + match.Length;
                }

                if (cursor < pieceLength)
                {
                    next.Add((pieceOffset + cursor, pieceLength - cursor));
                }
            }

            current = next;
        }

        foreach (var (pieceOffset, pieceLength) in current)
        {
            output.Add((offset + pieceOffset, pieceLength));
        }
    }
}

/// <summary>
/// A string with one UTF-16 character per code point of a text, for regexes to see code points: each character
/// outside the Basic Multilingual Plane (a surrogate pair) becomes one character of the same Unicode category from
/// inside it, so category classes (<c>\p{L}</c>, <c>\p{N}</c>, <c>\s</c>, <c>\w</c>), their negations and counted
/// repetitions (<c>\p{N}{1,3}</c>) see what they would see on code points. Positions map back to the text.
/// </summary>
internal sealed class CodePointStandIn
{
    // One stand-in per UnicodeCategory: a character of that category that is not white space and whose case forms
    // are not ASCII, so that no literal or case-insensitive part of a split pattern can match it by accident.
    private static readonly char[] StandIns = FindStandIns();

    private readonly int[] _starts;

    private CodePointStandIn(string text, int[] starts)
    {
        Text = text;
        _starts = starts;
    }

    /// <summary>The stand-in text: one character per code point.</summary>
    public string Text { get; }

    public static CodePointStandIn Create(ReadOnlySpan<char> text)
    {
        var chars = new char[text.Length];
        var starts = new int[text.Length + 1];
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            starts[count] = i;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var codePoint = char.ConvertToUtf32(text[i], text[i + 1]);
                chars[count++] = StandIns[(int)CharUnicodeInfo.GetUnicodeCategory(codePoint)];
                i++;
            }
            else
            {
                chars[count++] = text[i];
            }
        }

        starts[count] = text.Length;
        return new CodePointStandIn(new string(chars, 0, count), starts[..(count + 1)]);
    }

    /// <summary>The start and end, in the original text, of a piece of the stand-in text.</summary>
    public (int Start, int End) ToOriginal(int offset, int length) => (_starts[offset], _starts[offset + length]);

    private static char[] FindStandIns()
    {
        var categories = Enum.GetValues<UnicodeCategory>();
        var standIns = new char[categories.Max(c => (int)c) + 1];
        var found = new bool[standIns.Length];
        for (var c = 0x0400; c < 0x10000 && found.Contains(false); c++)
        {
            var ch = (char)c;
            var category = (int)char.GetUnicodeCategory(ch);
            if (found[category] || char.IsWhiteSpace(ch) || char.ToUpperInvariant(ch) < 0x80 || char.ToLowerInvariant(ch) < 0x80)
            {
                continue;
            }

            standIns[category] = ch;
            found[category] = true;
        }

        return standIns;
    }
}
