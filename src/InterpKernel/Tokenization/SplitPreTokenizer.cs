using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace InterpKernel.Tokenization;

/// <summary>
/// Splits text the way Hugging Face's <c>Split</c> pre-tokenizer does with the "Isolated" behaviour: every regex
/// match becomes a piece, and so does the text between matches. Several regexes apply one after another, each on the
/// pieces of the previous one. Special tokens are cut out first and handed on whole, as Hugging Face does with added
/// tokens. (The library's <see cref="RegexPreTokenizer"/> drops text between matches, which changes the result for
/// patterns that do not cover every character.)
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

        var current = new List<(int Offset, int Length)> { (offset, length) };
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

        output.AddRange(current);
    }
}
