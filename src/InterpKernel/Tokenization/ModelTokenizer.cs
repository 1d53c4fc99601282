using System.Collections.Concurrent;
using System.Text.Json;

namespace InterpKernel.Tokenization;

/// <summary>
/// The tokenizer of a Hugging Face model folder: text to token ids and back, with the model's BOS/EOS/PAD tokens.
/// Built on Microsoft.ML.Tokenizers; instances are immutable, thread-safe and cached per folder.
/// </summary>
/// <example>
/// <code>
/// var tokenizer = ModelTokenizer.FromFolder("models/kjv-gpt2-2l");
/// int[] ids = tokenizer.Encode("In the beginning");          // [50256, 818, 262, 3726]
/// string[] tokens = tokenizer.ToStrTokens(ids);               // ["&lt;|endoftext|&gt;", "In", " the", " beginning"]
/// string text = tokenizer.Decode(ids[1..]);                   // "In the beginning"
/// </code>
/// </example>
public sealed class ModelTokenizer
{
    /// <summary>The files looked for, in order of preference.</summary>
    public static IReadOnlyList<string> TokenizerFileNames { get; } =
        ["tokenizer.json", "vocab.json + merges.txt", "tokenizer.model"];

    // Files whose change must rebuild a cached tokenizer.
    private static readonly string[] CacheStampFiles =
    [
        "tokenizer.json", "vocab.json", "merges.txt", "tokenizer.model",
        "tokenizer_config.json", "special_tokens_map.json", "config.json",
    ];

    private static readonly ConcurrentDictionary<string, Lazy<ModelTokenizer>> Cache = new(StringComparer.Ordinal);

    private static readonly string[] ConventionalBos = ["<s>", "<|begin_of_text|>", BpeVocabularyFiles.EndOfText];
    private static readonly string[] ConventionalEos = ["</s>", "<|end_of_text|>", BpeVocabularyFiles.EndOfText];

    private readonly TokenizerBackend _backend;
    private readonly bool _cleanUpSpaces;

    private ModelTokenizer(TokenizerBackend backend, string folder, int? bos, int? eos, int? pad, bool cleanUpSpaces = false)
    {
        _backend = backend;
        _cleanUpSpaces = cleanUpSpaces;
        Folder = folder;
        BosTokenId = bos;
        EosTokenId = eos;
        PadTokenId = pad;
    }

    /// <summary>The folder the tokenizer was read from (full path).</summary>
    public string Folder { get; }

    /// <summary>What kind of tokenizer this is and which file it was read from.</summary>
    public string Description => _backend.Description;

    /// <summary>The beginning-of-sequence token id, or null when the folder declares none.</summary>
    public int? BosTokenId { get; }

    /// <summary>The end-of-sequence token id, or null when the folder declares none.</summary>
    public int? EosTokenId { get; }

    /// <summary>The padding token id, or null when the folder declares none.</summary>
    public int? PadTokenId { get; }

    /// <summary>The number of distinct token ids, added special tokens included.</summary>
    public int VocabSize => _backend.VocabSize;

    /// <summary>Tokens matched whole in input text (added and special tokens), with their ids.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens => _backend.SpecialTokens;

    /// <summary>
    /// Reads the tokenizer of a Hugging Face model folder. Looks for, in order: tokenizer.json (byte-level BPE or
    /// SentencePiece-style BPE), vocab.json + merges.txt (GPT-2 byte-level BPE), tokenizer.model (SentencePiece).
    /// BOS/EOS/PAD and added special tokens come from tokenizer_config.json, special_tokens_map.json and config.json
    /// when present. The result is cached until one of those files changes.
    /// </summary>
    /// <param name="folder">A folder holding the tokenizer files of a model.</param>
    /// <returns>The folder's tokenizer.</returns>
    /// <exception cref="ArgumentException">The folder path is empty.</exception>
    /// <exception cref="TokenizerNotFoundException">The folder is missing or holds none of the tokenizer files.</exception>
    /// <exception cref="InvalidDataException">A tokenizer file is malformed.</exception>
    /// <exception cref="NotSupportedException">The tokenizer.json is of a kind this library cannot build.</exception>
    /// <example>
    /// <code>var tokenizer = ModelTokenizer.FromFolder("models/kjv-gpt2-2l");</code>
    /// </example>
    public static ModelTokenizer FromFolder(string folder)
    {
        if (string.IsNullOrWhiteSpace(folder))
        {
            throw new ArgumentException("The model folder path is empty; pass the folder that holds tokenizer.json, vocab.json + merges.txt or tokenizer.model.", nameof(folder));
        }

        var fullPath = Path.GetFullPath(folder);
        if (!Directory.Exists(fullPath))
        {
            throw new TokenizerNotFoundException(
                $"The model folder {fullPath} does not exist; it should hold one of: {string.Join(", ", TokenizerFileNames)}.",
                fullPath);
        }

        var key = CacheKey(fullPath);
        var entry = Cache.GetOrAdd(key, _ => new Lazy<ModelTokenizer>(() => Build(fullPath)));
        try
        {
            return entry.Value;
        }
        catch
        {
            // A failed build is not cached: the user may fix the files and try again.
            Cache.TryRemove(new KeyValuePair<string, Lazy<ModelTokenizer>>(key, entry));
            throw;
        }
    }

    /// <summary>Like <see cref="FromFolder"/>, but reports failure instead of throwing.</summary>
    /// <param name="folder">A folder holding the tokenizer files of a model.</param>
    /// <param name="tokenizer">The tokenizer, or null on failure.</param>
    /// <param name="whyNot">Why the folder could not be read, or null on success.</param>
    /// <returns>True when a tokenizer was read.</returns>
    public static bool TryFromFolder(string folder, out ModelTokenizer? tokenizer, out string? whyNot)
    {
        try
        {
            tokenizer = FromFolder(folder);
            whyNot = null;
            return true;
        }
        catch (Exception e) when (e is ArgumentException or IOException or NotSupportedException or JsonException or UnauthorizedAccessException)
        {
            tokenizer = null;
            whyNot = e.Message;
            return false;
        }
    }

    /// <summary>Token ids of a text, optionally after the BOS token (TransformerLens prepends it by default).</summary>
    /// <param name="text">The text; special tokens written in it (such as "&lt;|endoftext|&gt;") become their ids.</param>
    /// <param name="prependBos">Put <see cref="BosTokenId"/> first.</param>
    /// <returns>The token ids.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="prependBos"/> is true but the tokenizer has no BOS token.</exception>
    public int[] Encode(string text, bool prependBos = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = _backend.Encode(text);
        if (!prependBos)
        {
            return ids;
        }

        if (BosTokenId is not { } bos)
        {
            throw new InvalidOperationException(
                $"The tokenizer in {Folder} has no BOS token (none in tokenizer_config.json, special_tokens_map.json or " +
                "config.json), so it cannot be prepended; call Encode with prependBos: false.");
        }

        var result = new int[ids.Length + 1];
        result[0] = bos;
        ids.CopyTo(result, 1);
        return result;
    }

    /// <summary>The text of token ids, concatenated; special tokens are kept as their text.</summary>
    /// <param name="ids">Token ids.</param>
    /// <returns>The decoded text.</returns>
    /// <exception cref="ArgumentException">An id is outside the vocabulary.</exception>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var list = ids as IReadOnlyList<int> ?? ids.ToArray();
        if (list.Count == 0)
        {
            return string.Empty;
        }

        var text = _backend.Decode(list);
        return _cleanUpSpaces ? CleanUpSpaces(text) : text;
    }

    // transformers' clean_up_tokenization: the space a word-level tokenizer once put before these goes.
    private static string CleanUpSpaces(string text) => text
        .Replace(" .", ".", StringComparison.Ordinal).Replace(" ?", "?", StringComparison.Ordinal)
        .Replace(" !", "!", StringComparison.Ordinal).Replace(" ,", ",", StringComparison.Ordinal)
        .Replace(" ' ", "'", StringComparison.Ordinal).Replace(" n't", "n't", StringComparison.Ordinal)
        .Replace(" 'm", "'m", StringComparison.Ordinal).Replace(" 's", "'s", StringComparison.Ordinal)
        .Replace(" 've", "'ve", StringComparison.Ordinal).Replace(" 're", "'re", StringComparison.Ordinal);

    /// <summary>Each token decoded on its own (" world", not "Ġworld"), as TransformerLens's to_str_tokens.</summary>
    /// <param name="ids">Token ids.</param>
    /// <returns>One string per id.</returns>
    /// <exception cref="ArgumentException">An id is outside the vocabulary.</exception>
    public string[] ToStrTokens(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var tokens = new string[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            tokens[i] = _backend.Decode([ids[i]]);
        }

        return tokens;
    }

    /// <summary>Each token of a text decoded on its own.</summary>
    /// <param name="text">The text.</param>
    /// <param name="prependBos">Put the BOS token first.</param>
    /// <returns>One string per token.</returns>
    public string[] ToStrTokens(string text, bool prependBos = true) => ToStrTokens(Encode(text, prependBos));

    /// <summary>The raw vocabulary string of an id ("Ġworld" for GPT-2), or null when the id is unknown.</summary>
    /// <param name="id">A token id.</param>
    /// <returns>The vocabulary entry, or null.</returns>
    public string? IdToToken(int id) => _backend.IdToToken(id);

    /// <summary>The id of a raw vocabulary string ("Ġworld" for GPT-2), or null when it is not in the vocabulary.</summary>
    /// <param name="token">A vocabulary entry.</param>
    /// <returns>The id, or null.</returns>
    public int? TokenToId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _backend.TokenToId(token);
    }

    /// <summary>The id of a text that is exactly one token (no BOS), such as " Mary".</summary>
    /// <param name="text">The text of one token.</param>
    /// <returns>Its id.</returns>
    /// <exception cref="ArgumentException">The text encodes to zero or several tokens; the message shows the split.</exception>
    public int SingleTokenId(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = _backend.Encode(text);
        if (ids.Length == 1)
        {
            return ids[0];
        }

        var split = string.Join(", ", ToStrTokens(ids).Select(t => JsonSerializer.Serialize(t)));
        throw new ArgumentException(
            $"{JsonSerializer.Serialize(text)} is not a single token: it encodes to {ids.Length} tokens [{split}] " +
            $"(ids [{string.Join(", ", ids)}]); pass text that is one token, often with its leading space.",
            nameof(text));
    }

    /// <inheritdoc />
    public override string ToString() => $"{Description} ({VocabSize} tokens)";

    private static ModelTokenizer Build(string folder)
    {
        var settings = SpecialTokenSettings.Read(folder);
        var backend = ReadBackend(folder, settings);
        int? Named(string? token) => token is null ? null : backend.TokenToId(token);
        int? Conventional(string[] names) =>
            names.Select(n => backend.SpecialTokens.TryGetValue(n, out var id) ? id : (int?)null).FirstOrDefault(id => id is not null);

        var bos = Named(settings.BosToken) ?? settings.ConfigBosId ?? Conventional(ConventionalBos);
        var eos = Named(settings.EosToken) ?? settings.ConfigEosId ?? Conventional(ConventionalEos);
        var pad = Named(settings.PadToken) ?? settings.ConfigPadId;
        return new ModelTokenizer(backend, folder, bos, eos, pad, settings.CleanUpTokenizationSpaces);
    }

    private static TokenizerBackend ReadBackend(string folder, SpecialTokenSettings settings)
    {
        var tokenizerJson = Path.Combine(folder, "tokenizer.json");
        if (File.Exists(tokenizerJson))
        {
            return TokenizerJsonFile.Load(tokenizerJson, settings);
        }

        var vocab = Path.Combine(folder, "vocab.json");
        var merges = Path.Combine(folder, "merges.txt");
        if (File.Exists(vocab) && File.Exists(merges))
        {
            return BpeVocabularyFiles.Load(vocab, merges, settings);
        }

        var sentencePiece = Path.Combine(folder, "tokenizer.model");
        if (File.Exists(sentencePiece))
        {
            return SentencePieceModelFile.Load(sentencePiece, settings);
        }

        var half = File.Exists(vocab) ? " (vocab.json is there but merges.txt is missing)"
            : File.Exists(merges) ? " (merges.txt is there but vocab.json is missing)"
            : string.Empty;
        throw new TokenizerNotFoundException(
            $"No tokenizer files in {folder}{half}: looked for {string.Join(", ", TokenizerFileNames)}. " +
            "Copy the tokenizer files of the model's Hugging Face repository into that folder.",
            folder);
    }

    private static string CacheKey(string folder)
    {
        var parts = new List<string> { folder };
        foreach (var name in CacheStampFiles)
        {
            var info = new FileInfo(Path.Combine(folder, name));
            if (info.Exists)
            {
                parts.Add($"{name}:{info.Length}:{info.LastWriteTimeUtc.Ticks}");
            }
        }

        return string.Join("|", parts);
    }
}
