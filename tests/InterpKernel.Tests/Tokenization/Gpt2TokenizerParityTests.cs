using System.Text.Json;
using InterpKernel.Tokenization;
using Xunit;

namespace InterpKernel.Tests.Tokenization;

/// <summary>
/// The embedded GPT-2 checkpoint's tokenizer against token ids, vocabulary strings and decoded text computed by
/// Hugging Face's GPT-2 tokenizer (Fixtures/gpt2-tokenizer-cases.json).
/// </summary>
public class Gpt2TokenizerParityTests
{
    private static readonly ModelTokenizer Tokenizer = ModelTokenizer.FromFolder(TestPaths.Models("kjv-gpt2-2l"));

    public static TheoryData<string> CaseTexts()
    {
        var data = new TheoryData<string>();
        foreach (var c in LoadCases())
        {
            data.Add(c.Text);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseTexts))]
    public void Encoding_reproduces_the_Hugging_Face_ids(string text)
    {
        var expected = LoadCases().Single(c => c.Text == text);
        Assert.Equal(expected.Ids, Tokenizer.Encode(text, prependBos: false));
    }

    [Theory]
    [MemberData(nameof(CaseTexts))]
    public void Vocabulary_strings_of_the_ids_match_the_Hugging_Face_tokens(string text)
    {
        var expected = LoadCases().Single(c => c.Text == text);
        Assert.Equal(expected.Tokens, expected.Ids.Select(id => Tokenizer.IdToToken(id)).ToArray());
        Assert.Equal(expected.Ids, expected.Tokens.Select(t => Tokenizer.TokenToId(t)!.Value).ToArray());
    }

    [Theory]
    [MemberData(nameof(CaseTexts))]
    public void Decoding_the_ids_gives_back_the_text(string text)
    {
        var expected = LoadCases().Single(c => c.Text == text);
        Assert.Equal(text, Tokenizer.Decode(expected.Ids));
    }

    [Fact]
    public void All_eleven_fixture_cases_are_checked()
    {
        Assert.Equal(11, LoadCases().Count);
    }

    [Fact]
    public void Special_ids_come_from_config_json_and_the_vocabulary_has_50257_tokens()
    {
        Assert.Equal(50256, Tokenizer.BosTokenId);
        Assert.Equal(50256, Tokenizer.EosTokenId);
        Assert.Null(Tokenizer.PadTokenId);
        Assert.Equal(50257, Tokenizer.VocabSize);
    }

    [Fact]
    public void Str_tokens_start_with_the_BOS_token_and_show_spaces_not_byte_symbols()
    {
        var ids = Tokenizer.Encode("In the beginning God created");

        Assert.Equal(["<|endoftext|>", "In", " the", " beginning", " God", " created"], Tokenizer.ToStrTokens(ids));
        Assert.Equal(new[] { 50256, 818, 262, 3726, 1793, 2727 }, ids);
    }

    [Fact]
    public void The_end_of_text_marker_in_the_input_is_one_special_token()
    {
        Assert.Equal(new[] { 15496, 50256, 15496 }, Tokenizer.Encode("Hello<|endoftext|>Hello", prependBos: false));
        Assert.Equal("Hello<|endoftext|>Hello", Tokenizer.Decode([15496, 50256, 15496]));
    }

    [Fact]
    public void Single_token_id_finds_a_one_token_word_with_its_leading_space()
    {
        Assert.Equal(5335, Tokenizer.SingleTokenId(" Mary"));
        Assert.Equal(1757, Tokenizer.SingleTokenId(" John"));
    }

    [Fact]
    public void Single_token_id_names_the_split_of_text_that_is_several_tokens()
    {
        var error = Assert.Throws<ArgumentException>(() => Tokenizer.SingleTokenId(" Mary and"));

        Assert.Equal("text", error.ParamName);
        Assert.Contains("2 tokens", error.Message);
        Assert.Contains("[\" Mary\", \" and\"]", error.Message);
        Assert.Contains("[5335, 290]", error.Message);
    }

    [Fact]
    public void A_lone_token_holding_part_of_a_character_decodes_to_the_replacement_character()
    {
        // "日" is three bytes that GPT-2 splits over two tokens (10545 = "Ġæ", 245 = "Ĺ").
        Assert.Equal([" \uFFFD", "\uFFFD"], Tokenizer.ToStrTokens([10545, 245]));
    }

    [Fact]
    public void Decoding_an_id_outside_the_vocabulary_says_which_id()
    {
        var error = Assert.Throws<ArgumentException>(() => Tokenizer.Decode([15496, 60000]));

        Assert.Contains("60000", error.Message);
        Assert.Equal("ids", error.ParamName);
    }

    [Fact]
    public void Loading_the_same_folder_twice_reuses_the_tokenizer()
    {
        Assert.Same(Tokenizer, ModelTokenizer.FromFolder(TestPaths.Models("kjv-gpt2-2l")));
    }

    private sealed record TokenizerCase(string Text, int[] Ids, string[] Tokens);

    private static List<TokenizerCase> LoadCases()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("gpt2-tokenizer-cases.json")));
        return document.RootElement.GetProperty("tokenizer").EnumerateArray()
            .Select(c => new TokenizerCase(
                c.GetProperty("text").GetString()!,
                c.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()).ToArray(),
                c.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).ToArray()))
            .ToList();
    }
}
