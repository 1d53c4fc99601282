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
        var description = $"SentencePiece tokenizer from {path}";
        // The vocabulary is needed to decide which declared tokens exist before the final tokenizer is built.
        var probe = Create(bytes, specialTokens: null, path);
        var vocab = probe.Vocabulary;
        var specials = SpecialTokenResolver.Resolve(
            token => vocab.TryGetValue(token, out var id) ? id : null,
            settings,
            ConventionalSpecials);
        var tokenizer = specials.Count == 0 ? probe : Create(bytes, specials, path);
        return new SentencePieceBackend(tokenizer, specials, description);
    }

    /// <summary>Builds a tokenizer from protobuf bytes, BPE models as Llama tokenizers, others (Unigram) generically.</summary>
    public static SentencePieceTokenizer Create(byte[] model, IReadOnlyDictionary<string, int>? specialTokens, string source)
    {
        try
        {
            using var stream = new MemoryStream(model, writable: false);
            return LlamaTokenizer.Create(stream, addBeginOfSentence: false, addEndOfSentence: false, specialTokens);
        }
        catch (ArgumentException llamaError)
        {
            try
            {
                using var stream = new MemoryStream(model, writable: false);
                return SentencePieceTokenizer.Create(stream, false, false, specialTokens);
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
