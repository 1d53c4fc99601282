using Microsoft.ML.Tokenizers;

namespace InterpKernel.Tokenization;

/// <summary>Reads a SentencePiece tokenizer.model (a protobuf) through the library's SentencePiece tokenizers.</summary>
internal static class SentencePieceModelFile
{
    /// <summary>SentencePiece's default control tokens, special whenever the vocabulary has them.</summary>
    public static readonly string[] ConventionalSpecials = ["<s>", "</s>", "<unk>", "<pad>"];

    public static TokenizerBackend Load(string path, SpecialTokenSettings settings)
    {
        var bytes = File.ReadAllBytes(path);
        // Special tokens are cut out of the text by the backend, so the library's tokenizer never sees them and adds
        // the model's dummy prefix to each stretch of text between them, as Hugging Face's LlamaTokenizer does.
        var model = new SentencePieceProtoModel(Create(bytes, path));
        var vocab = model.Vocabulary;
        var specials = SpecialTokenResolver.Resolve(
            token => vocab.TryGetValue(token, out var id) ? id : null,
            settings,
            ConventionalSpecials);
        return new SentencePieceBackend(
            model,
            specials,
            SentencePieceDecoder.Conventional(stripDummyPrefix: model.AddsDummyPrefix),
            DummyPrefix.None,
            splitWords: false,
            $"SentencePiece tokenizer from {path}");
    }

    /// <summary>
    /// Builds a tokenizer from protobuf bytes, BPE models as Llama tokenizers, others (Unigram) generically; without
    /// special tokens or automatic BOS/EOS, which <see cref="SentencePieceBackend"/> and <see cref="ModelTokenizer"/> handle.
    /// </summary>
    private static SentencePieceTokenizer Create(byte[] model, string source)
    {
        try
        {
            using var stream = new MemoryStream(model, writable: false);
            return LlamaTokenizer.Create(stream, addBeginOfSentence: false, addEndOfSentence: false, specialTokens: null);
        }
        catch (ArgumentException llamaError)
        {
            try
            {
                using var stream = new MemoryStream(model, writable: false);
                return SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false, specialTokens: null);
            }
            catch (Exception e) when (e is ArgumentException or Google.Protobuf.InvalidProtocolBufferException)
            {
                throw new InvalidDataException(
                    $"{source} is not a SentencePiece model this library can read ({llamaError.Message} / {e.Message}). " +
                    "Supported: SentencePiece BPE and Unigram models with the identity normalizer.", e);
            }
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new InvalidDataException(
                $"{source} is not a SentencePiece model protobuf ({e.Message}); tokenizer.model should be the file " +
                "SentencePiece's trainer writes.", e);
        }
    }
}
