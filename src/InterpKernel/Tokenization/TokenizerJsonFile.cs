using System.Text;
using System.Text.Json;

namespace InterpKernel.Tokenization;

/// <summary>
/// Reads a Hugging Face tokenizer.json. Two kinds are supported, both with a BPE model:
/// byte-level BPE (a ByteLevel pre-tokenizer, optionally after Split/Digits regexes: GPT-2, GPT-NeoX/Pythia, Llama 3,
/// Qwen2) and SentencePiece-style BPE (byte_fallback, a Metaspace pre-tokenizer or the Prepend/Replace "▁"
/// normalizers: Llama 2, Mistral). Anything else is refused with a message that lists these kinds.
/// </summary>
internal static partial class TokenizerJsonFile
{
    public const string SupportedKinds =
        "Supported tokenizer.json kinds: (1) byte-level BPE: model.type \"BPE\" with a \"ByteLevel\" pre-tokenizer, " +
        "optionally preceded by \"Split\" (behavior \"Isolated\") or \"Digits\" pre-tokenizers and an NFC/NFKC/NFD/NFKD " +
        "normalizer (GPT-2, GPT-NeoX/Pythia, Llama 3, Qwen2); (2) SentencePiece-style BPE: model.type \"BPE\" with " +
        "byte_fallback, a \"Metaspace\" pre-tokenizer or the \"Prepend\"/\"Replace\" U+2581 normalizers (Llama 2, Mistral). " +
        "WordPiece, Unigram and WordLevel models are not supported; a folder with vocab.json + merges.txt or " +
        "tokenizer.model can be read instead.";

    private const string Metaspace = "\u2581";

    public static TokenizerBackend Load(string path, SpecialTokenSettings settings)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{path} has no \"model\" object, so it is not a Hugging Face tokenizer.json. {SupportedKinds}");
            }

            var modelType = model.TryGetProperty("type", out var typeElement) ? typeElement.GetString() : null;
            // Old files leave the type out; a BPE model is recognisable by its merges.
            modelType ??= model.TryGetProperty("merges", out _) ? "BPE" : null;
            if (modelType != "BPE")
            {
                throw new NotSupportedException($"{path} has a model of type \"{modelType ?? "(none)"}\". {SupportedKinds}");
            }

            var vocab = ReadVocabulary(model, path);
            var merges = ReadMerges(model, path);
            var added = ReadAddedTokens(root, path);
            var preTokenizer = Optional(root, "pre_tokenizer");
            var normalizer = Optional(root, "normalizer");
            var decoder = Optional(root, "decoder");

            if (Flatten(preTokenizer, "pretokenizers").Any(p => TypeOf(p) == "ByteLevel")
                || (preTokenizer is null && Flatten(decoder, "decoders").Any(d => TypeOf(d) == "ByteLevel")))
            {
                return LoadByteLevel(path, model, vocab, merges, added, preTokenizer, normalizer, settings);
            }

            var byteFallback = model.TryGetProperty("byte_fallback", out var fallback) && fallback.ValueKind == JsonValueKind.True;
            if (byteFallback
                || Flatten(preTokenizer, "pretokenizers").Any(p => TypeOf(p) == "Metaspace")
                || Flatten(normalizer, "normalizers").Any(n => TypeOf(n) is "Prepend" or "Replace"))
            {
                return LoadSentencePieceStyle(path, model, vocab, merges, added, preTokenizer, normalizer, decoder, byteFallback, settings);
            }

            throw new NotSupportedException(
                $"{path} has a BPE model but neither a ByteLevel pre-tokenizer nor SentencePiece-style whitespace handling " +
                $"(pre_tokenizer: {Describe(preTokenizer)}, normalizer: {Describe(normalizer)}). {SupportedKinds}");
        }
    }

    private static TokenizerBackend LoadByteLevel(
        string path,
        JsonElement model,
        Dictionary<string, int> vocab,
        List<(string Left, string Right)> merges,
        Dictionary<string, int> added,
        JsonElement? preTokenizer,
        JsonElement? normalizer,
        SpecialTokenSettings settings)
    {
        var patterns = new List<string>();
        var addPrefixSpace = false;
        foreach (var step in Flatten(preTokenizer, "pretokenizers"))
        {
            switch (TypeOf(step))
            {
                case "Split":
                    patterns.Add(SplitPattern(step, path));
                    break;
                case "Digits":
                    patterns.Add(Flag(step, "individual_digits", false) ? @"\p{N}" : @"\p{N}+");
                    break;
                case "ByteLevel":
                    addPrefixSpace |= Flag(step, "add_prefix_space", false);
                    if (Flag(step, "use_regex", true))
                    {
                        patterns.Add(SplitPreTokenizer.Gpt2Pattern);
                    }

                    break;
                default:
                    throw new NotSupportedException(
                        $"{path}: the pre-tokenizer \"{TypeOf(step)}\" is not supported with byte-level BPE " +
                        $"(supported: Split, Digits, ByteLevel). {SupportedKinds}");
            }
        }

        var steps = new List<Func<string, string>>();
        foreach (var step in Flatten(normalizer, "normalizers"))
        {
            steps.Add(TypeOf(step) switch
            {
                "NFC" => text => text.Normalize(NormalizationForm.FormC),
                "NFKC" => text => text.Normalize(NormalizationForm.FormKC),
                "NFD" => text => text.Normalize(NormalizationForm.FormD),
                "NFKD" => text => text.Normalize(NormalizationForm.FormKD),
                var other => throw new NotSupportedException(
                    $"{path}: the normalizer \"{other}\" is not supported with byte-level BPE (supported: NFC, NFKC, NFD, NFKD). {SupportedKinds}"),
            });
        }

        if (addPrefixSpace)
        {
            // Byte-level add_prefix_space: the first word gets the same leading space as every other word.
            steps.Add(text => text.Length > 0 && !char.IsWhiteSpace(text[0]) ? " " + text : text);
        }

        var specials = SpecialTokenResolver.Resolve(
            token => vocab.TryGetValue(token, out var id) ? id : null, settings, [BpeVocabularyFiles.EndOfText], added);
        var ignoreMerges = Flag(model, "ignore_merges", false);
        return new ByteLevelBpeBackend(
            vocab,
            merges,
            specials,
            patterns,
            steps.Count == 0 ? null : new TextNormalizer(steps),
            $"byte-level BPE tokenizer from {path}",
            ignoreMerges);
    }

    private static bool IsSpaceToMetaspace(JsonElement step) =>
        step.TryGetProperty("pattern", out var pattern)
        && pattern.ValueKind == JsonValueKind.Object
        && pattern.TryGetProperty("String", out var from) && from.GetString() == " "
        && step.TryGetProperty("content", out var to) && to.GetString() == Metaspace;

    private static string SplitPattern(JsonElement step, string path)
    {
        var behavior = step.TryGetProperty("behavior", out var b) ? b.GetString() : "Isolated";
        if (behavior != "Isolated" || Flag(step, "invert", false))
        {
            throw new NotSupportedException(
                $"{path}: a Split pre-tokenizer with behavior \"{behavior}\"{(Flag(step, "invert", false) ? " and invert" : "")} " +
                $"is not supported (only \"Isolated\" without invert). {SupportedKinds}");
        }

        if (step.TryGetProperty("pattern", out var pattern) && pattern.ValueKind == JsonValueKind.Object)
        {
            if (pattern.TryGetProperty("Regex", out var regex) && regex.GetString() is { } r)
            {
                return r;
            }

            if (pattern.TryGetProperty("String", out var literal) && literal.GetString() is { } l)
            {
                return System.Text.RegularExpressions.Regex.Escape(l);
            }
        }

        throw new InvalidDataException($"{path}: a Split pre-tokenizer has no pattern (expected {{\"Regex\": ...}} or {{\"String\": ...}}).");
    }

    private static Dictionary<string, int> ReadVocabulary(JsonElement model, string path)
    {
        if (!model.TryGetProperty("vocab", out var vocabElement) || vocabElement.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{path}: model.vocab is missing or not an object from token to id.");
        }

        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocabElement.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id) || id < 0)
            {
                throw new InvalidDataException($"{path}: model.vocab maps \"{entry.Name}\" to {entry.Value}, which is not a token id.");
            }

            vocab[entry.Name] = id;
        }

        if (vocab.Count == 0)
        {
            throw new InvalidDataException($"{path}: model.vocab is empty.");
        }

        return vocab;
    }

    // Merges are written as "left right" strings in older files and as ["left", "right"] pairs in newer ones.
    private static List<(string Left, string Right)> ReadMerges(JsonElement model, string path)
    {
        var merges = new List<(string Left, string Right)>();
        if (!model.TryGetProperty("merges", out var mergesElement) || mergesElement.ValueKind == JsonValueKind.Null)
        {
            return merges;
        }

        if (mergesElement.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{path}: model.merges is not a list.");
        }

        var index = 0;
        foreach (var merge in mergesElement.EnumerateArray())
        {
            if (merge.ValueKind == JsonValueKind.String)
            {
                var text = merge.GetString()!;
                var space = text.IndexOf(' ', 1);
                if (space <= 0 || space == text.Length - 1 || text.IndexOf(' ', space + 1) >= 0)
                {
                    throw new InvalidDataException($"{path}: merge {index} \"{text}\" is not two tokens separated by one space.");
                }

                merges.Add((text[..space], text[(space + 1)..]));
            }
            else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                     && merge[0].GetString() is { Length: > 0 } left && merge[1].GetString() is { Length: > 0 } right)
            {
                merges.Add((left, right));
            }
            else
            {
                throw new InvalidDataException($"{path}: merge {index} is {merge}, neither \"a b\" nor [\"a\", \"b\"].");
            }

            index++;
        }

        return merges;
    }

    private static Dictionary<string, int> ReadAddedTokens(JsonElement root, string path)
    {
        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!root.TryGetProperty("added_tokens", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return added;
        }

        foreach (var token in list.EnumerateArray())
        {
            if (!token.TryGetProperty("id", out var id) || !id.TryGetInt32(out var value)
                || !token.TryGetProperty("content", out var content) || content.GetString() is not { Length: > 0 } text)
            {
                throw new InvalidDataException($"{path}: the added token {token} lacks an integer \"id\" or a \"content\".");
            }

            added[text] = value;
        }

        return added;
    }

    private static JsonElement? Optional(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    private static string? TypeOf(JsonElement element) =>
        element.TryGetProperty("type", out var type) ? type.GetString() : null;

    private static bool Flag(JsonElement element, string name, bool fallback) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : fallback;

    private static string Describe(JsonElement? element) =>
        element is null ? "none" : $"\"{TypeOf(element.Value)}\"";

    /// <summary>The steps of a component, looking inside "Sequence" wrappers.</summary>
    private static IEnumerable<JsonElement> Flatten(JsonElement? element, string listName)
    {
        if (element is null)
        {
            yield break;
        }

        if (TypeOf(element.Value) == "Sequence" && element.Value.TryGetProperty(listName, out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                foreach (var inner in Flatten(item, listName))
                {
                    yield return inner;
                }
            }
        }
        else
        {
            yield return element.Value;
        }
    }
}
