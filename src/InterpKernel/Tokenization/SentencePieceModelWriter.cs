using System.Text;

namespace InterpKernel.Tokenization;

/// <summary>The kinds a SentencePiece vocabulary entry can have (values of sentencepiece_model.proto).</summary>
internal enum SentencePieceType
{
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}

/// <summary>One vocabulary entry of a SentencePiece model; its id is its position in the list.</summary>
internal readonly record struct SentencePieceEntry(string Piece, float Score, SentencePieceType Type);

/// <summary>
/// Writes a SentencePiece BPE model (the protobuf that tokenizer.model files hold) from a vocabulary. The library's
/// SentencePiece tokenizer is the only one in Microsoft.ML.Tokenizers with byte fallback, and it is created from this
/// protobuf, so tokenizer.json files of SentencePiece origin are translated into it.
/// </summary>
internal static class SentencePieceModelWriter
{
    // Field numbers of sentencepiece_model.proto.
    private const int ModelPieces = 1, ModelTrainerSpec = 2, ModelNormalizerSpec = 3;
    private const int PieceText = 1, PieceScore = 2, PieceType = 3;
    private const int TrainerModelType = 3, TrainerVocabSize = 4, TrainerByteFallback = 35;
    private const int TrainerUnkId = 40, TrainerBosId = 41, TrainerEosId = 42, TrainerPadId = 43;
    private const int TrainerUnkPiece = 45, TrainerBosPiece = 46, TrainerEosPiece = 47, TrainerPadPiece = 48;
    private const int NormalizerName = 1, NormalizerAddDummyPrefix = 3, NormalizerRemoveExtraWhitespaces = 4;
    private const int NormalizerEscapeWhitespaces = 5;
    private const int BpeModelType = 2;

    /// <summary>Special ids and pieces of the model; an id of -1 means the model has no such token.</summary>
    internal sealed record Settings(
        bool ByteFallback,
        bool AddDummyPrefix,
        int UnknownId,
        int BosId,
        int EosId,
        int PadId);

    public static byte[] WriteBpeModel(IReadOnlyList<SentencePieceEntry> pieces, Settings settings)
    {
        var model = new ProtoWriter();
        foreach (var entry in pieces)
        {
            var piece = new ProtoWriter();
            piece.String(PieceText, entry.Piece);
            piece.Float(PieceScore, entry.Score);
            piece.Varint(PieceType, (ulong)entry.Type);
            model.Message(ModelPieces, piece);
        }

        var trainer = new ProtoWriter();
        trainer.Varint(TrainerModelType, BpeModelType);
        trainer.Varint(TrainerVocabSize, (ulong)pieces.Count);
        trainer.Varint(TrainerByteFallback, settings.ByteFallback ? 1UL : 0UL);
        trainer.Int32(TrainerUnkId, settings.UnknownId);
        trainer.Int32(TrainerBosId, settings.BosId);
        trainer.Int32(TrainerEosId, settings.EosId);
        trainer.Int32(TrainerPadId, settings.PadId);
        WritePiece(trainer, TrainerUnkPiece, pieces, settings.UnknownId);
        WritePiece(trainer, TrainerBosPiece, pieces, settings.BosId);
        WritePiece(trainer, TrainerEosPiece, pieces, settings.EosId);
        WritePiece(trainer, TrainerPadPiece, pieces, settings.PadId);
        model.Message(ModelTrainerSpec, trainer);

        var normalizer = new ProtoWriter();
        normalizer.String(NormalizerName, "identity");
        normalizer.Varint(NormalizerAddDummyPrefix, settings.AddDummyPrefix ? 1UL : 0UL);
        normalizer.Varint(NormalizerRemoveExtraWhitespaces, 0);
        normalizer.Varint(NormalizerEscapeWhitespaces, 1);
        model.Message(ModelNormalizerSpec, normalizer);

        return model.ToArray();
    }

    private static void WritePiece(ProtoWriter writer, int field, IReadOnlyList<SentencePieceEntry> pieces, int id)
    {
        if (id >= 0 && id < pieces.Count)
        {
            writer.String(field, pieces[id].Piece);
        }
    }

    /// <summary>The few protobuf wire encodings the model needs.</summary>
    private sealed class ProtoWriter
    {
        private readonly MemoryStream _buffer = new();

        public void Varint(int field, ulong value)
        {
            Tag(field, 0);
            Raw(value);
        }

        public void Int32(int field, int value) => Varint(field, unchecked((ulong)(long)value));

        public void Float(int field, float value)
        {
            Tag(field, 5);
            Span<byte> bytes = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
            _buffer.Write(bytes);
        }

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public void Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

        public byte[] ToArray() => _buffer.ToArray();

        private void Bytes(int field, byte[] value)
        {
            Tag(field, 2);
            Raw((ulong)value.Length);
            _buffer.Write(value);
        }

        private void Tag(int field, int wireType) => Raw(((ulong)field << 3) | (uint)wireType);

        private void Raw(ulong value)
        {
            while (value >= 0x80)
            {
                _buffer.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            _buffer.WriteByte((byte)value);
        }
    }
}
