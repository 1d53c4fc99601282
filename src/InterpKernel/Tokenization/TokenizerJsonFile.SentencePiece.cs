using System.Text;
using System.Text.Json;

namespace InterpKernel.Tokenization;

/// <summary>The SentencePiece-style half of <see cref="TokenizerJsonFile"/>: BPE with byte fallback and "▁" spaces.</summary>
internal static partial class TokenizerJsonFile
{
    private static bool IsSplitOnSpace(JsonElement step) =>
        TypeOf(step) == "Split"
        && step.TryGetProperty("pattern", out var pattern) && pattern.ValueKind == JsonValueKind.Object
        && pattern.TryGetProperty("String", out var text) && text.GetString() == " "
        && !Flag(step, "invert", false);

    private static TokenizerBackend LoadSentencePieceStyle(
        string path,
        JsonElement model,
        Dictionary<string, int> vocab,
        List<(string Left, string Right)> merges,
        Dictionary<string, int> added,
        JsonElement? preTokenizer,
        JsonElement? normalizer,
        JsonElement? decoderElement,
        bool byteFallback,
        SpecialTokenSettings settings)
    {
        var dummyPrefix = DummyPrefix.None;
        var spacesReplaced = false;
        foreach (var step in Flatten(normalizer, "normalizers"))
        {
            switch (TypeOf(step))
            {
                case "Prepend" when step.TryGetProperty("prepend", out var prepend) && prepend.GetString() == Metaspace:
                    dummyPrefix = DummyPrefix.EverySegment;
                    break;
                case "Replace" when IsSpaceToMetaspace(step):
                    spacesReplaced = true;
                    break;
                default:
                    throw new NotSupportedException(
                        $"{path}: the normalizer {Describe(step)} is not supported with SentencePiece-style BPE " +
                        $"(supported: Prepend \"{Metaspace}\", Replace \" \" -> \"{Metaspace}\"). {SupportedKinds}");
            }
        }

        var splitWords = false;
        foreach (var step in Flatten(preTokenizer, "pretokenizers"))
        {
            // Gemma's files split on " " after a normalizer has replaced every space by "▁": the split never fires.
            if (spacesReplaced && IsSplitOnSpace(step))
            {
                continue;
            }

            if (TypeOf(step) != "Metaspace")
            {
                throw new NotSupportedException(
                    $"{path}: the pre-tokenizer \"{TypeOf(step)}\" is not supported with SentencePiece-style BPE (supported: Metaspace). {SupportedKinds}");
            }

            if (step.TryGetProperty("replacement", out var replacement) && replacement.GetString() != Metaspace)
            {
                throw new NotSupportedException(
                    $"{path}: a Metaspace pre-tokenizer with the replacement {replacement} is not supported (only \"{Metaspace}\"). {SupportedKinds}");
            }

            // Files older than prepend_scheme say add_prefix_space instead, which meant "always".
            var scheme = step.TryGetProperty("prepend_scheme", out var s) ? s.GetString()
                : Flag(step, "add_prefix_space", true) ? "always" : "never";
            dummyPrefix = scheme switch
            {
                "always" when dummyPrefix == DummyPrefix.None => DummyPrefix.EverySegmentNotStartingWithSpace,
                "first" when dummyPrefix == DummyPrefix.None => DummyPrefix.TextStartNotStartingWithSpace,
                _ => dummyPrefix,
            };
            splitWords |= Flag(step, "split", true);
        }

        var description = $"SentencePiece-style BPE tokenizer from {path}";
        var unknownToken = model.TryGetProperty("unk_token", out var unk) && unk.ValueKind == JsonValueKind.String ? unk.GetString() : null;
        var pieces = new RankedBpeModel(vocab, merges, unknownToken, Flag(model, "fuse_unk", false), byteFallback, description);
        var specials = SpecialTokenResolver.Resolve(
            token => vocab.TryGetValue(token, out var id) ? id : null, settings, SentencePieceModelFile.ConventionalSpecials, added);
        var decoder = SentencePieceDecoder.FromJson(decoderElement, dummyPrefix != DummyPrefix.None, path);
        return new SentencePieceBackend(
            pieces, specials, decoder, dummyPrefix, splitWords, description);
    }
}
