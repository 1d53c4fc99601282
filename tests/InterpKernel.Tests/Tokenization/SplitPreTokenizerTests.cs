using InterpKernel.Tokenization;
using Xunit;

namespace InterpKernel.Tests.Tokenization;

/// <summary>Split regexes see code points, as Hugging Face's do, also for characters outside the Basic Multilingual Plane.</summary>
public class SplitPreTokenizerTests
{
    private const string Qwen2Pattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private const string Llama3Pattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    [Theory]
    // "𠮷" (U+20BB7) is a letter: one word with "野家", and the contraction after it stays whole.
    [InlineData(Qwen2Pattern, "𠮷野家's", new[] { "𠮷野家", "'s" })]
    // "𝐁𝐨𝐥𝐝" are letters and "𝟏𝟐" digits (each its own piece in Qwen2), not punctuation.
    [InlineData(Qwen2Pattern, "𝐁𝐨𝐥𝐝 𝟏𝟐!", new[] { "𝐁𝐨𝐥𝐝", " ", "𝟏", "𝟐", "!" })]
    [InlineData(Llama3Pattern, "𝟏𝟐𝟑𝟒", new[] { "𝟏𝟐𝟑", "𝟒" })]
    [InlineData(SplitPreTokenizer.Gpt2Pattern, " 𝔘𝔫𝔦, 😀", new[] { " 𝔘𝔫𝔦", ",", " 😀" })]
    public void Characters_outside_the_basic_plane_keep_their_unicode_category(string pattern, string text, string[] expected)
    {
        var splitter = new SplitPreTokenizer([SplitPreTokenizer.Compile(pattern)], specialTokens: null);

        var pieces = splitter.PreTokenize(text).Select(p => text.Substring(p.Offset, p.Length));

        Assert.Equal(expected, pieces);
    }

    [Fact]
    public void Pieces_cover_the_text_and_never_split_a_surrogate_pair()
    {
        var splitter = new SplitPreTokenizer(
            [SplitPreTokenizer.Compile(Qwen2Pattern)], new Dictionary<string, int> { ["<|end|>"] = 9 });
        const string text = "a𝔘<|end|>𝟏 🏳️‍🌈 b\uD800c"; // a lone surrogate stays a character of its own

        var pieces = splitter.PreTokenize(text).ToList();

        Assert.Equal(text.Length, pieces.Sum(p => p.Length));
        Assert.Equal(Enumerable.Range(0, pieces.Count - 1).Select(i => pieces[i].Offset + pieces[i].Length), pieces.Skip(1).Select(p => p.Offset));
        Assert.All(pieces, p => Assert.False(char.IsLowSurrogate(text[p.Offset])));
        Assert.Contains((text.IndexOf('<'), "<|end|>".Length), pieces);
    }
}
