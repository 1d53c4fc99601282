using Google.Protobuf;
using InterpKernel.Tokenization;
using Xunit;

namespace InterpKernel.Tests.Tokenization;

/// <summary>
/// SentencePiece tokenizers: a Llama-2-style tokenizer.json (BPE with byte fallback) and a tokenizer.model protobuf,
/// both written by the test with the same tiny vocabulary, so both must give the same ids.
/// </summary>
public class SentencePieceTokenizerFileTests
{
    private static readonly Dictionary<string, int> Vocab = TinySentencePieceVocabulary.Vocabulary();

    public static TheoryData<string> Kinds() => new() { "tokenizer.json", "tokenizer.model" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Words_are_merged_after_a_leading_metaspace(string kind)
    {
        using var folder = Write(kind);
        var tokenizer = ModelTokenizer.FromFolder(folder.Path);

        var ids = tokenizer.Encode("hello world", prependBos: false);

        Assert.Equal(new[] { Vocab["▁hello"], Vocab["▁world"] }, ids);
        Assert.Equal("hello world", tokenizer.Decode(ids));
        Assert.Equal("▁hello", tokenizer.IdToToken(ids[0]));
        Assert.Equal(Vocab["▁world"], tokenizer.TokenToId("▁world"));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Characters_outside_the_vocabulary_fall_back_to_their_utf8_bytes(string kind)
    {
        using var folder = Write(kind);
        var tokenizer = ModelTokenizer.FromFolder(folder.Path);

        var ids = tokenizer.Encode("hé", prependBos: false);

        // "é" is C3 A9 in UTF-8; the byte pieces start at id 3.
        Assert.Equal(new[] { Vocab["▁h"], TinySentencePieceVocabulary.ByteOffset + 0xC3, TinySentencePieceVocabulary.ByteOffset + 0xA9 }, ids);
        Assert.Equal("hé", tokenizer.Decode(ids));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_bos_token_is_prepended_and_special_ids_are_known(string kind)
    {
        using var folder = Write(kind);
        var tokenizer = ModelTokenizer.FromFolder(folder.Path);

        Assert.Equal(1, tokenizer.BosTokenId);
        Assert.Equal(2, tokenizer.EosTokenId);
        Assert.Equal(new[] { 1, Vocab["▁hello"] }, tokenizer.Encode("hello"));
        Assert.Equal(Vocab.Count, tokenizer.VocabSize);
        // The dummy prefix supplies the metaspace, so a word is one token without a leading space, as with Llama 2.
        Assert.Equal(Vocab["▁world"], tokenizer.SingleTokenId("world"));
        var error = Assert.Throws<ArgumentException>(() => tokenizer.SingleTokenId(" world"));
        Assert.Contains("2 tokens", error.Message);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Each_str_token_is_decoded_on_its_own(string kind)
    {
        using var folder = Write(kind);
        var tokenizer = ModelTokenizer.FromFolder(folder.Path);

        var tokens = tokenizer.ToStrTokens(tokenizer.Encode("hello world", prependBos: false));

        Assert.Equal(2, tokens.Length);
        Assert.Equal("hello", tokens[0]);
        Assert.Equal("world", tokens[1].TrimStart());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_control_token_written_in_the_text_is_one_token_and_the_next_word_keeps_its_metaspace(string kind)
    {
        using var folder = Write(kind);
        var tokenizer = ModelTokenizer.FromFolder(folder.Path);

        Assert.Equal(new[] { 1, Vocab["▁hello"] }, tokenizer.Encode("<s>hello", prependBos: false));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Text_after_a_special_token_gets_its_own_dummy_prefix(string kind)
    {
        using var folder = Write(kind);
        var tokenizer = ModelTokenizer.FromFolder(folder.Path);

        // Hugging Face cuts special tokens out first and tokenizes the text between them piece by piece, so each piece
        // starts with a metaspace: "world" becomes "▁world", not "w", "or", "ld".
        Assert.Equal(new[] { Vocab["▁hello"], 2, Vocab["▁world"] }, tokenizer.Encode("hello</s>world", prependBos: false));
        Assert.Equal(new[] { Vocab["▁"], Vocab["▁"], 1, Vocab["▁hello"] }, tokenizer.Encode(" <s>hello", prependBos: false));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Decoding_keeps_the_space_of_a_word_after_a_special_token(string kind)
    {
        using var folder = Write(kind);
        var tokenizer = ModelTokenizer.FromFolder(folder.Path);

        // Only the very first space is the dummy prefix; after "<s>" the metaspace is a real space.
        Assert.Equal("<s> hello world", tokenizer.Decode([1, Vocab["▁hello"], Vocab["▁world"]]));
        Assert.Equal("hello</s> world", tokenizer.Decode([Vocab["▁hello"], 2, Vocab["▁world"]]));
        Assert.Equal(" hello", tokenizer.Decode([Vocab["▁"], Vocab["▁hello"]]));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Byte_pieces_that_are_not_valid_utf8_decode_to_one_replacement_character_each(string kind)
    {
        using var folder = Write(kind);
        var tokenizer = ModelTokenizer.FromFolder(folder.Path);
        const int offset = TinySentencePieceVocabulary.ByteOffset;

        // E5 8F is the start of a three-byte character; E5 8F AB is "叫".
        Assert.Equal("\uFFFD\uFFFD", tokenizer.Decode([offset + 0xE5, offset + 0x8F]));
        Assert.Equal("叫", tokenizer.Decode([offset + 0xE5, offset + 0x8F, offset + 0xAB]));
        Assert.Equal("\uFFFD\uFFFD hello", tokenizer.Decode([offset + 0xE5, offset + 0x8F, Vocab["▁hello"]]));
    }

    [Theory]
    [InlineData("first", new[] { "<s>", "h", "e", "ll", "o" })]
    [InlineData("always", new[] { "<s>", "▁hello" })]
    [InlineData("never", new[] { "<s>", "h", "e", "ll", "o" })]
    public void A_metaspace_prepend_scheme_decides_which_text_gets_the_dummy_prefix(string scheme, string[] afterSpecial)
    {
        using var folder = new TempFolder();
        WriteTokenizerJson(folder, normalizer: null, Metaspace(scheme, split: false));
        var tokenizer = ModelTokenizer.FromFolder(folder.Path);

        var firstWord = scheme == "never" ? new[] { "h", "e", "ll", "o" } : ["▁hello"];
        Assert.Equal(firstWord, tokenizer.Encode("hello", prependBos: false).Select(id => tokenizer.IdToToken(id)));
        Assert.Equal(afterSpecial, tokenizer.Encode("<s>hello", prependBos: false).Select(id => tokenizer.IdToToken(id)));
        // A text that starts with a space already has its metaspace.
        Assert.Equal(["▁hello"], tokenizer.Encode(" hello", prependBos: false).Select(id => tokenizer.IdToToken(id)));
    }

    [Theory]
    [InlineData(false, new[] { "▁a", "▁▁", "a" })]
    [InlineData(true, new[] { "▁a", "▁", "▁a" })]
    public void A_splitting_metaspace_pre_tokenizer_starts_a_word_at_every_space(bool split, string[] expected)
    {
        // "▁▁" is merged before "▁a", so without the split the two spaces become one piece.
        var vocab = new Dictionary<string, int> { ["<unk>"] = 0, ["▁"] = 1, ["a"] = 2, ["▁▁"] = 3, ["▁a"] = 4 };
        using var folder = new TempFolder();
        folder.WriteJson("tokenizer.json", new Dictionary<string, object?>
        {
            ["added_tokens"] = new object[] { Added(0, "<unk>") },
            ["normalizer"] = null,
            ["pre_tokenizer"] = Metaspace("always", split),
            ["decoder"] = new Dictionary<string, object> { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "always", ["split"] = split },
            ["model"] = new Dictionary<string, object?>
            {
                ["type"] = "BPE", ["unk_token"] = "<unk>", ["byte_fallback"] = false, ["vocab"] = vocab, ["merges"] = new[] { "▁ ▁", "▁ a" },
            },
        });
        var tokenizer = ModelTokenizer.FromFolder(folder.Path);

        var ids = tokenizer.Encode("a  a", prependBos: false);

        Assert.Equal(expected, ids.Select(id => tokenizer.IdToToken(id)));
        Assert.Equal("a  a", tokenizer.Decode(ids));
    }

    [Fact]
    public void Merges_of_a_tokenizer_json_apply_by_the_rank_of_the_pair_not_of_the_piece_they_make()
    {
        // "▁▁▁" can be made only from ("▁", "▁▁"). Hugging Face merges the leftmost ("▁", "▁") first, which leaves
        // ("▁▁", "▁"), not a merge; ranking by the piece made, as SentencePiece does, would give "▁▁▁".
        var vocab = new Dictionary<string, int> { ["<unk>"] = 0, ["▁"] = 1, ["▁▁"] = 2, ["▁▁▁"] = 3 };
        using var folder = new TempFolder();
        folder.WriteJson("tokenizer.json", new Dictionary<string, object?>
        {
            ["added_tokens"] = new object[] { Added(0, "<unk>") },
            ["normalizer"] = LlamaNormalizer(),
            ["pre_tokenizer"] = null,
            ["decoder"] = LlamaDecoder(),
            ["model"] = new Dictionary<string, object?>
            {
                ["type"] = "BPE", ["unk_token"] = "<unk>", ["byte_fallback"] = false, ["vocab"] = vocab, ["merges"] = new[] { "▁ ▁", "▁ ▁▁" },
            },
        });
        var tokenizer = ModelTokenizer.FromFolder(folder.Path);

        var ids = tokenizer.Encode("  ", prependBos: false);

        Assert.Equal(new[] { 2, 1 }, ids);
        Assert.Equal("  ", tokenizer.Decode(ids));
        // Without byte fallback, characters outside the vocabulary are the unknown token, consecutive ones fused
        // only when the model says fuse_unk.
        Assert.Equal(new[] { 1, 0, 1, 0, 0 }, tokenizer.Encode("x yz", prependBos: false));
    }

    [Fact]
    public void A_tokenizer_json_with_a_WordPiece_model_is_refused_with_the_supported_kinds()
    {
        using var folder = new TempFolder();
        folder.WriteJson("tokenizer.json", new Dictionary<string, object?>
        {
            ["normalizer"] = null,
            ["pre_tokenizer"] = new Dictionary<string, object> { ["type"] = "BertPreTokenizer" },
            ["model"] = new Dictionary<string, object>
            {
                ["type"] = "WordPiece", ["unk_token"] = "[UNK]", ["vocab"] = new Dictionary<string, int> { ["[UNK]"] = 0, ["a"] = 1 },
            },
        });

        var error = Assert.Throws<NotSupportedException>(() => ModelTokenizer.FromFolder(folder.Path));

        Assert.Contains("\"WordPiece\"", error.Message);
        Assert.Contains("Supported tokenizer.json kinds", error.Message);
        Assert.Contains("byte-level BPE", error.Message);
        Assert.Contains("SentencePiece-style BPE", error.Message);
        Assert.False(ModelTokenizer.TryFromFolder(folder.Path, out var tokenizer, out var whyNot));
        Assert.Null(tokenizer);
        Assert.Equal(error.Message, whyNot);
    }

    [Fact]
    public void A_tokenizer_model_that_is_not_a_protobuf_is_reported_as_such()
    {
        using var folder = new TempFolder();
        folder.Write("tokenizer.model", "this is not a protobuf");

        var error = Assert.Throws<InvalidDataException>(() => ModelTokenizer.FromFolder(folder.Path));

        Assert.Contains("tokenizer.model", error.Message);
        Assert.Contains("SentencePiece", error.Message);
    }

    private static TempFolder Write(string kind)
    {
        var folder = new TempFolder();
        if (kind == "tokenizer.json")
        {
            WriteTokenizerJson(folder);
        }
        else
        {
            folder.WriteBytes("tokenizer.model", SentencePieceModelProto());
        }

        return folder;
    }

    private static Dictionary<string, object> Added(int id, string content) => new()
    {
        ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
        ["normalized"] = false, ["special"] = true,
    };

    /// <summary>The Prepend + Replace normalizers of Llama 2's tokenizer.json (Hugging Face's "legacy" conversion).</summary>
    private static Dictionary<string, object> LlamaNormalizer() => new()
    {
        ["type"] = "Sequence",
        ["normalizers"] = new object[]
        {
            new Dictionary<string, object> { ["type"] = "Prepend", ["prepend"] = "▁" },
            new Dictionary<string, object>
            {
                ["type"] = "Replace", ["pattern"] = new Dictionary<string, string> { ["String"] = " " }, ["content"] = "▁",
            },
        },
    };

    /// <summary>The Metaspace pre-tokenizer of newer SentencePiece-style files (no normalizer then).</summary>
    private static Dictionary<string, object> Metaspace(string prependScheme, bool split) => new()
    {
        ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = prependScheme, ["split"] = split,
    };

    // By default the shape of Llama 2's tokenizer.json: Prepend + Replace normalizers, no pre-tokenizer, byte fallback.
    private static void WriteTokenizerJson(TempFolder folder) => WriteTokenizerJson(folder, LlamaNormalizer(), preTokenizer: null);

    private static void WriteTokenizerJson(TempFolder folder, object? normalizer, object? preTokenizer)
    {
        folder.WriteJson("tokenizer.json", new Dictionary<string, object?>
        {
            ["version"] = "1.0",
            ["added_tokens"] = new object[] { Added(0, "<unk>"), Added(1, "<s>"), Added(2, "</s>") },
            ["normalizer"] = normalizer,
            ["pre_tokenizer"] = preTokenizer,
            ["decoder"] = LlamaDecoder(),
            ["model"] = new Dictionary<string, object?>
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = "<unk>", ["fuse_unk"] = true, ["byte_fallback"] = true,
                ["vocab"] = Vocab,
                ["merges"] = TinySentencePieceVocabulary.Merges.Select(m => $"{m.Left} {m.Right}").ToArray(),
            },
        });
    }

    /// <summary>Llama 2's decoder: "▁" to spaces, byte pieces to text, joined, one leading space taken off.</summary>
    private static Dictionary<string, object> LlamaDecoder() => new()
    {
        ["type"] = "Sequence",
        ["decoders"] = new object[]
        {
            new Dictionary<string, object>
            {
                ["type"] = "Replace", ["pattern"] = new Dictionary<string, string> { ["String"] = "▁" }, ["content"] = " ",
            },
            new Dictionary<string, object> { ["type"] = "ByteFallback" },
            new Dictionary<string, object> { ["type"] = "Fuse" },
            new Dictionary<string, object> { ["type"] = "Strip", ["content"] = " ", ["start"] = 1, ["stop"] = 0 },
        },
    };

    /// <summary>
    /// A SentencePiece ModelProto written field by field with Google.Protobuf (field numbers of
    /// sentencepiece_model.proto), scored as SentencePiece's BPE trainer does: later merges score lower.
    /// </summary>
    private static byte[] SentencePieceModelProto()
    {
        var pieces = TinySentencePieceVocabulary.Pieces();
        using var output = new MemoryStream();
        var model = new CodedOutputStream(output);
        for (var id = 0; id < pieces.Count; id++)
        {
            var piece = pieces[id];
            var type = id == 0 ? 2 : id < 3 ? 3 : id < 3 + 256 ? 6 : 1; // UNKNOWN, CONTROL, BYTE, NORMAL
            var score = type == 1 ? -(float)id : 0f;
            model.WriteTag(1, WireFormat.WireType.LengthDelimited);
            model.WriteBytes(Message(m =>
            {
                m.WriteTag(1, WireFormat.WireType.LengthDelimited);
                m.WriteString(piece);
                m.WriteTag(2, WireFormat.WireType.Fixed32);
                m.WriteFloat(score);
                m.WriteTag(3, WireFormat.WireType.Varint);
                m.WriteEnum(type);
            }));
        }

        model.WriteTag(2, WireFormat.WireType.LengthDelimited); // TrainerSpec
        model.WriteBytes(Message(t =>
        {
            t.WriteTag(3, WireFormat.WireType.Varint); t.WriteEnum(2); // model_type = BPE
            t.WriteTag(4, WireFormat.WireType.Varint); t.WriteInt32(pieces.Count);
            t.WriteTag(35, WireFormat.WireType.Varint); t.WriteBool(true); // byte_fallback
            t.WriteTag(40, WireFormat.WireType.Varint); t.WriteInt32(0); // unk_id
            t.WriteTag(41, WireFormat.WireType.Varint); t.WriteInt32(1); // bos_id
            t.WriteTag(42, WireFormat.WireType.Varint); t.WriteInt32(2); // eos_id
            t.WriteTag(43, WireFormat.WireType.Varint); t.WriteInt32(-1); // pad_id
        }));
        model.WriteTag(3, WireFormat.WireType.LengthDelimited); // NormalizerSpec
        model.WriteBytes(Message(n =>
        {
            n.WriteTag(1, WireFormat.WireType.LengthDelimited); n.WriteString("identity");
            n.WriteTag(3, WireFormat.WireType.Varint); n.WriteBool(true); // add_dummy_prefix
            n.WriteTag(4, WireFormat.WireType.Varint); n.WriteBool(false); // remove_extra_whitespaces
            n.WriteTag(5, WireFormat.WireType.Varint); n.WriteBool(true); // escape_whitespaces
        }));
        model.Flush();
        return output.ToArray();
    }

    private static ByteString Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        var stream = new CodedOutputStream(buffer);
        write(stream);
        stream.Flush();
        return ByteString.CopyFrom(buffer.ToArray());
    }
}
