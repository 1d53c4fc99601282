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

    private static void WriteTokenizerJson(TempFolder folder)
    {
        static Dictionary<string, object> Added(int id, string content) => new()
        {
            ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
            ["normalized"] = false, ["special"] = true,
        };

        // The shape of Llama 2's tokenizer.json: Prepend + Replace normalizers, no pre-tokenizer, byte fallback.
        folder.WriteJson("tokenizer.json", new Dictionary<string, object?>
        {
            ["version"] = "1.0",
            ["added_tokens"] = new object[] { Added(0, "<unk>"), Added(1, "<s>"), Added(2, "</s>") },
            ["normalizer"] = new Dictionary<string, object>
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
            },
            ["pre_tokenizer"] = null,
            ["decoder"] = new Dictionary<string, object> { ["type"] = "Sequence", ["decoders"] = Array.Empty<object>() },
            ["model"] = new Dictionary<string, object?>
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = "<unk>", ["fuse_unk"] = true, ["byte_fallback"] = true,
                ["vocab"] = Vocab,
                ["merges"] = TinySentencePieceVocabulary.Merges.Select(m => $"{m.Left} {m.Right}").ToArray(),
            },
        });
    }

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
