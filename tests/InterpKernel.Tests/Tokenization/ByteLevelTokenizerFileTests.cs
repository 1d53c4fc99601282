using InterpKernel.Tokenization;
using Xunit;

namespace InterpKernel.Tests.Tokenization;

/// <summary>Byte-level BPE read from a tokenizer.json and from a vocab.json + merges.txt pair written by the test.</summary>
public class ByteLevelTokenizerFileTests
{
    private const string Llama3SplitPattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private static readonly Dictionary<string, int> Vocab = TinyByteLevelVocabulary.Vocabulary();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Merges_of_a_tokenizer_json_apply_whether_written_as_strings_or_pairs(bool mergesAsPairs)
    {
        using var folder = new TempFolder();
        WriteTokenizerJson(folder, mergesAsPairs, ByteLevelPreTokenizer());
        var tokenizer = ModelTokenizer.FromFolder(folder.Path);

        var ids = tokenizer.Encode("hello world", prependBos: false);

        Assert.Equal(new[] { Vocab["hello"], Vocab["Ġwor"], Vocab["l"], Vocab["d"] }, ids);
        Assert.Equal(["hello", " wor", "l", "d"], tokenizer.ToStrTokens(ids));
        Assert.Equal("hello world", tokenizer.Decode(ids));
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("  tabs\tand\nnew lines\n\n")]
    [InlineData("café, naïve, 日本語, emoji 🤖👍")]
    [InlineData("")]
    public void Any_text_survives_an_encode_decode_round_trip(string text)
    {
        using var folder = new TempFolder();
        WriteTokenizerJson(folder, mergesAsPairs: true, ByteLevelPreTokenizer());
        var tokenizer = ModelTokenizer.FromFolder(folder.Path);

        var ids = tokenizer.Encode(text, prependBos: false);

        Assert.Equal(text, tokenizer.Decode(ids));
        Assert.All(ids, id => Assert.InRange(id, 0, tokenizer.VocabSize - 1));
    }

    [Fact]
    public void Added_special_tokens_are_matched_whole_and_decoded_as_text()
    {
        using var folder = new TempFolder();
        WriteTokenizerJson(folder, mergesAsPairs: true, ByteLevelPreTokenizer());
        var tokenizer = ModelTokenizer.FromFolder(folder.Path);
        var end = Vocab.Count;

        var ids = tokenizer.Encode("hello<|end|> world", prependBos: false);

        Assert.Equal(new[] { Vocab["hello"], end, Vocab["Ġwor"], Vocab["l"], Vocab["d"] }, ids);
        Assert.Equal("hello<|end|> world", tokenizer.Decode(ids));
        Assert.Equal(Vocab.Count + 1, tokenizer.VocabSize);
        Assert.Equal(end, tokenizer.TokenToId("<|end|>"));
        Assert.Equal("<|end|>", tokenizer.IdToToken(end));
    }

    [Fact]
    public void A_split_regex_before_the_byte_level_step_decides_where_merges_may_reach()
    {
        using var gpt2Style = new TempFolder();
        WriteTokenizerJson(gpt2Style, mergesAsPairs: true, ByteLevelPreTokenizer());
        using var llama3Style = new TempFolder();
        WriteTokenizerJson(llama3Style, mergesAsPairs: true, new Dictionary<string, object>
        {
            ["type"] = "Sequence",
            ["pretokenizers"] = new object[]
            {
                new Dictionary<string, object>
                {
                    ["type"] = "Split", ["pattern"] = new Dictionary<string, string> { ["Regex"] = Llama3SplitPattern },
                    ["behavior"] = "Isolated", ["invert"] = false,
                },
                new Dictionary<string, object> { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["use_regex"] = false },
            },
        });

        // GPT-2's pattern keeps "12345" whole, so the "3 4" merge applies; Llama 3's cuts digits into runs of three.
        Assert.Equal(new[] { Vocab["1"], Vocab["2"], Vocab["34"], Vocab["5"] },
            ModelTokenizer.FromFolder(gpt2Style.Path).Encode("12345", prependBos: false));
        Assert.Equal(new[] { Vocab["1"], Vocab["2"], Vocab["3"], Vocab["4"], Vocab["5"] },
            ModelTokenizer.FromFolder(llama3Style.Path).Encode("12345", prependBos: false));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Ignore_merges_takes_a_word_that_is_in_the_vocabulary_whole(bool ignoreMerges)
    {
        // "Ġworld" is in the vocabulary, but no merge builds it.
        var vocab = new Dictionary<string, int>(Vocab) { ["Ġworld"] = Vocab.Count };
        using var folder = new TempFolder();
        WriteTokenizerJson(folder, mergesAsPairs: true, ByteLevelPreTokenizer(), vocab, ignoreMerges);
        var tokenizer = ModelTokenizer.FromFolder(folder.Path);

        var ids = tokenizer.Encode("hello world", prependBos: false);

        Assert.Equal(
            ignoreMerges ? new[] { vocab["hello"], vocab["Ġworld"] } : new[] { vocab["hello"], vocab["Ġwor"], vocab["l"], vocab["d"] },
            ids);
        Assert.Equal("hello world", tokenizer.Decode(ids));
    }

    [Fact]
    public void An_NFC_normalizer_composes_characters_before_encoding()
    {
        using var folder = new TempFolder();
        WriteTokenizerJson(folder, mergesAsPairs: true, ByteLevelPreTokenizer(),
            normalizer: new Dictionary<string, object> { ["type"] = "NFC" });
        var tokenizer = ModelTokenizer.FromFolder(folder.Path);

        // "e" + U+0301 (combining acute) composes to "é", C3 A9 in UTF-8.
        Assert.Equal(new[] { 0xC3, 0xA9 }.Select(b => Vocab[TinyByteLevelVocabulary.ByteSymbol((byte)b).ToString()]),
            tokenizer.Encode("e\u0301", prependBos: false));
    }

    [Fact]
    public void Bos_eos_and_pad_come_from_tokenizer_config_json_by_name()
    {
        using var folder = new TempFolder();
        WriteTokenizerJson(folder, mergesAsPairs: true, ByteLevelPreTokenizer());
        folder.WriteJson("tokenizer_config.json", new Dictionary<string, object?>
        {
            ["bos_token"] = "<|end|>",
            ["eos_token"] = new Dictionary<string, object> { ["content"] = "<|end|>", ["special"] = true },
            ["pad_token"] = "!",
        });
        var tokenizer = ModelTokenizer.FromFolder(folder.Path);

        Assert.Equal(Vocab.Count, tokenizer.BosTokenId);
        Assert.Equal(Vocab.Count, tokenizer.EosTokenId);
        Assert.Equal(Vocab["!"], tokenizer.PadTokenId);
        Assert.Equal(new[] { Vocab.Count, Vocab["hello"] }, tokenizer.Encode("hello"));
    }

    [Fact]
    public void Encoding_with_a_bos_fails_clearly_when_the_folder_declares_none()
    {
        using var folder = new TempFolder();
        WriteVocabAndMerges(folder, withEndOfText: false);
        var tokenizer = ModelTokenizer.FromFolder(folder.Path);

        var error = Assert.Throws<InvalidOperationException>(() => tokenizer.Encode("hello"));

        Assert.Null(tokenizer.BosTokenId);
        Assert.Contains("no BOS token", error.Message);
        Assert.Contains("prependBos: false", error.Message);
        Assert.Equal(new[] { Vocab["hello"] }, tokenizer.Encode("hello", prependBos: false));
    }

    [Fact]
    public void A_vocab_json_and_merges_txt_pair_is_read_as_GPT2_byte_level_BPE()
    {
        using var folder = new TempFolder();
        WriteVocabAndMerges(folder, withEndOfText: true);
        var tokenizer = ModelTokenizer.FromFolder(folder.Path);
        var endOfText = Vocab.Count;

        var ids = tokenizer.Encode("hello world<|endoftext|>");

        // With no configuration files, GPT-2's convention makes <|endoftext|> both BOS and EOS.
        Assert.Equal(new[] { endOfText, Vocab["hello"], Vocab["Ġwor"], Vocab["l"], Vocab["d"], endOfText }, ids);
        Assert.Equal(endOfText, tokenizer.BosTokenId);
        Assert.Equal(endOfText, tokenizer.EosTokenId);
        Assert.Equal("<|endoftext|>hello world<|endoftext|>", tokenizer.Decode(ids));
        Assert.Equal("Ġwor", tokenizer.IdToToken(Vocab["Ġwor"]));
        Assert.Equal(Vocab.Count + 1, tokenizer.VocabSize);
    }

    [Fact]
    public void A_merge_whose_result_is_not_in_vocab_json_is_reported_with_its_line()
    {
        using var folder = new TempFolder();
        WriteVocabAndMerges(folder, withEndOfText: false);
        File.AppendAllText(Path.Combine(folder.Path, "merges.txt"), "x y\n");

        var error = Assert.Throws<InvalidDataException>(() => ModelTokenizer.FromFolder(folder.Path));

        Assert.Contains("merges.txt, line 10", error.Message);
        Assert.Contains("\"xy\"", error.Message);
    }

    [Fact]
    public void A_changed_file_is_read_again_instead_of_served_from_the_cache()
    {
        using var folder = new TempFolder();
        WriteVocabAndMerges(folder, withEndOfText: false);
        var first = ModelTokenizer.FromFolder(folder.Path);
        Assert.Same(first, ModelTokenizer.FromFolder(folder.Path));

        folder.WriteJson("config.json", new Dictionary<string, object> { ["bos_token_id"] = 7 });
        var second = ModelTokenizer.FromFolder(folder.Path);

        Assert.NotSame(first, second);
        Assert.Equal(7, second.BosTokenId);
    }

    private static Dictionary<string, object> ByteLevelPreTokenizer() => new()
    {
        ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true,
    };

    private static void WriteTokenizerJson(
        TempFolder folder,
        bool mergesAsPairs,
        Dictionary<string, object> preTokenizer,
        Dictionary<string, int>? vocab = null,
        bool ignoreMerges = false,
        object? normalizer = null)
    {
        vocab ??= Vocab;
        object[] merges = mergesAsPairs
            ? TinyByteLevelVocabulary.Merges.Select(m => (object)new[] { m.Left, m.Right }).ToArray()
            : TinyByteLevelVocabulary.Merges.Select(m => (object)$"{m.Left} {m.Right}").ToArray();
        folder.WriteJson("tokenizer.json", new Dictionary<string, object?>
        {
            ["version"] = "1.0",
            ["added_tokens"] = new object[]
            {
                new Dictionary<string, object> { ["id"] = vocab.Count, ["content"] = "<|end|>", ["special"] = true },
            },
            ["normalizer"] = normalizer,
            ["pre_tokenizer"] = preTokenizer,
            ["decoder"] = new Dictionary<string, object> { ["type"] = "ByteLevel" },
            ["model"] = new Dictionary<string, object?>
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["byte_fallback"] = false,
                ["ignore_merges"] = ignoreMerges, ["vocab"] = vocab, ["merges"] = merges,
            },
        });
    }

    private static void WriteVocabAndMerges(TempFolder folder, bool withEndOfText)
    {
        var vocab = new Dictionary<string, int>(Vocab);
        if (withEndOfText)
        {
            vocab["<|endoftext|>"] = vocab.Count;
        }

        folder.WriteJson("vocab.json", vocab);
        folder.Write("merges.txt", "#version: 0.2\n" + string.Concat(TinyByteLevelVocabulary.Merges.Select(m => $"{m.Left} {m.Right}\n")));
    }
}
