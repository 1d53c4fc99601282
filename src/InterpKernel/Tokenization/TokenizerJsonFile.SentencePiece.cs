using System.Text;
using System.Text.Json;

namespace InterpKernel.Tokenization;

/// <summary>The SentencePiece-style half of <see cref="TokenizerJsonFile"/>: BPE with byte fallback and "▁" spaces.</summary>
internal static partial class TokenizerJsonFile
{
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
        foreach (var step in Flatten(normalizer, "normalizers"))
        {
            switch (TypeOf(step))
            {
                case "Prepend" when step.TryGetProperty("prepend", out var prepend) && prepend.GetString() == Metaspace:
                    dummyPrefix = DummyPrefix.EverySegment;
                    break;
                case "Replace" when IsSpaceToMetaspace(step):
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

        var unknownToken = model.TryGetProperty("unk_token", out var unk) && unk.ValueKind == JsonValueKind.String ? unk.GetString() : null;
        var pieces = SentencePiecesFromBpe(path, vocab, merges, added, unknownToken);
        int IdOf(string token) => vocab.TryGetValue(token, out var id) && id < pieces.Count ? id : -1;
        // The backend puts the dummy prefix in itself, where Hugging Face would, so the model must not add its own.
        var bytes = SentencePieceModelWriter.WriteBpeModel(
            pieces,
            new SentencePieceModelWriter.Settings(
                byteFallback,
                AddDummyPrefix: false,
                UnknownId: unknownToken is null ? -1 : IdOf(unknownToken),
                BosId: IdOf("<s>"),
                EosId: IdOf("</s>"),
                PadId: -1));

        var specials = SpecialTokenResolver.Resolve(
            token => vocab.TryGetValue(token, out var id) ? id : null, settings, SentencePieceModelFile.ConventionalSpecials, added);
        var tokenizer = SentencePieceModelFile.Create(bytes, path);
        var decoder = SentencePieceDecoder.FromJson(decoderElement, dummyPrefix != DummyPrefix.None, path);
        return new SentencePieceBackend(
            tokenizer, specials, decoder, dummyPrefix, splitWords, $"SentencePiece-style BPE tokenizer from {path}");
    }

    /// <summary>
    /// SentencePiece BPE merges the adjacent pair whose result scores highest; Hugging Face BPE merges the pair with
    /// the lowest merge rank. Scoring each piece by minus the rank of the merge that makes it gives the same order.
    /// </summary>
    private static List<SentencePieceEntry> SentencePiecesFromBpe(
        string path,
        Dictionary<string, int> vocab,
        List<(string Left, string Right)> merges,
        Dictionary<string, int> added,
        string? unknownToken)
    {
        var rankOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var rank = 0; rank < merges.Count; rank++)
        {
            rankOf.TryAdd(merges[rank].Left + merges[rank].Right, rank);
        }

        var size = vocab.Values.Max() + 1;
        if (size > vocab.Count * 2 + 1024)
        {
            throw new InvalidDataException($"{path}: the vocabulary ids are too sparse ({vocab.Count} tokens, largest id {size - 1}).");
        }

        var pieces = new SentencePieceEntry[size];
        for (var id = 0; id < size; id++)
        {
            // SentencePiece ids are positions, so holes in the id range are filled with pieces that never match.
            pieces[id] = new SentencePieceEntry($"<unused_id_{id}>", 0f, SentencePieceType.Unused);
        }

        foreach (var (token, id) in vocab)
        {
            SentencePieceType type;
            float score;
            if (token == unknownToken)
            {
                (type, score) = (SentencePieceType.Unknown, 0f);
            }
            else if (IsByteToken(token))
            {
                (type, score) = (SentencePieceType.Byte, 0f);
            }
            else if (added.ContainsKey(token))
            {
                (type, score) = (SentencePieceType.Control, 0f);
            }
            else if (rankOf.TryGetValue(token, out var rank))
            {
                (type, score) = (SentencePieceType.Normal, -rank);
            }
            else
            {
                // Single characters and other pieces no merge makes: they are never the result of a merge step.
                (type, score) = (SentencePieceType.Normal, -(merges.Count + (float)id));
            }

            pieces[id] = new SentencePieceEntry(token, score, type);
        }

        return [.. pieces];
    }

    private static bool IsByteToken(string token) =>
        token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
        && Uri.IsHexDigit(token[3]) && Uri.IsHexDigit(token[4]);
}
