using System.Text.RegularExpressions;

namespace InterpKernel.Tokenization;

/// <summary>
/// Cuts added and special tokens out of text before normalization and pre-tokenization see it, as Hugging Face
/// tokenizers do: the leftmost token wins, and of tokens starting at the same place the longest. The text between
/// tokens is then tokenized piece by piece, so whatever a tokenizer does at the start of its input (SentencePiece's
/// dummy prefix, for one) happens again after every special token.
/// </summary>
internal sealed class SpecialTokenSplitter
{
    private readonly Regex? _tokens;

    public SpecialTokenSplitter(IReadOnlyDictionary<string, int> specialTokens)
    {
        if (specialTokens.Count > 0)
        {
            // Longest first, so that a token which is a prefix of another never wins.
            var alternatives = specialTokens.Keys.Where(k => k.Length > 0).OrderByDescending(k => k.Length).Select(Regex.Escape);
            _tokens = new Regex(string.Join("|", alternatives), RegexOptions.Compiled | RegexOptions.CultureInvariant);
        }
    }

    /// <summary>The special tokens and the (never empty) plain text between them, in order.</summary>
    public List<(int Offset, int Length, bool IsSpecial)> Split(ReadOnlySpan<char> text)
    {
        var pieces = new List<(int Offset, int Length, bool IsSpecial)>();
        var start = 0;
        if (_tokens is not null)
        {
            foreach (var match in _tokens.EnumerateMatches(text))
            {
                if (match.Index > start)
                {
                    pieces.Add((start, match.Index - start, false));
                }

                pieces.Add((match.Index, match.Length, true));
                start = match.Index + match.Length;
            }
        }

        if (start < text.Length)
        {
            pieces.Add((start, text.Length - start, false));
        }

        return pieces;
    }
}
