using System.Text.Json;

namespace InterpKernel.Tokenization;

/// <summary>
/// Special tokens a model folder declares outside the tokenizer file itself: tokenizer_config.json and
/// special_tokens_map.json name them (bos_token, eos_token, pad_token, added_tokens_decoder,
/// additional_special_tokens); config.json gives the ids the model was trained with (bos_token_id, ...).
/// </summary>
internal sealed class SpecialTokenSettings
{
    public string? BosToken { get; private set; }
    public string? EosToken { get; private set; }
    public string? PadToken { get; private set; }
    public int? ConfigBosId { get; private set; }
    public int? ConfigEosId { get; private set; }
    public int? ConfigPadId { get; private set; }

    /// <summary>
    /// tokenizer_config.json's clean_up_tokenization_spaces: decoding then drops the space before punctuation and
    /// English contractions, as transformers' decode does (Llama 3 sets it).
    /// </summary>
    public bool CleanUpTokenizationSpaces { get; private set; }

    /// <summary>Tokens declared with their ids (added_tokens_decoder).</summary>
    public Dictionary<string, int> AddedTokens { get; } = new(StringComparer.Ordinal);

    /// <summary>Tokens declared by text only; they become special when the vocabulary has them.</summary>
    public List<string> NamedTokens { get; } = [];

    public static SpecialTokenSettings Read(string folder)
    {
        var settings = new SpecialTokenSettings();
        // special_tokens_map.json first, so that tokenizer_config.json (the newer file) wins where both speak.
        settings.ReadTokenFile(Path.Combine(folder, "special_tokens_map.json"));
        settings.ReadTokenFile(Path.Combine(folder, "tokenizer_config.json"));
        settings.ReadModelConfig(Path.Combine(folder, "config.json"));
        return settings;
    }

    private void ReadTokenFile(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using var document = ParseFile(path);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{path} is not a JSON object; it should map names such as \"bos_token\" to tokens.");
        }

        if (root.TryGetProperty("clean_up_tokenization_spaces", out var cleanUp) && cleanUp.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            CleanUpTokenizationSpaces = cleanUp.ValueKind == JsonValueKind.True;
        }

        BosToken = TokenText(root, "bos_token") ?? BosToken;
        EosToken = TokenText(root, "eos_token") ?? EosToken;
        PadToken = TokenText(root, "pad_token") ?? PadToken;
        foreach (var name in new[] { "bos_token", "eos_token", "pad_token", "unk_token" })
        {
            AddNamed(TokenText(root, name));
        }

        if (root.TryGetProperty("additional_special_tokens", out var additional) && additional.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in additional.EnumerateArray())
            {
                AddNamed(TokenText(item));
            }
        }

        if (root.TryGetProperty("added_tokens_decoder", out var decoder) && decoder.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in decoder.EnumerateObject())
            {
                if (!int.TryParse(entry.Name, out var id))
                {
                    throw new InvalidDataException(
                        $"{path}: added_tokens_decoder has the key \"{entry.Name}\", which is not a token id.");
                }

                var content = TokenText(entry.Value);
                if (content is not null)
                {
                    AddedTokens[content] = id;
                }
            }
        }
    }

    private void ReadModelConfig(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using var document = ParseFile(path);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        ConfigBosId = TokenId(root, "bos_token_id");
        ConfigEosId = TokenId(root, "eos_token_id");
        ConfigPadId = TokenId(root, "pad_token_id");
    }

    private void AddNamed(string? token)
    {
        if (token is not null && !NamedTokens.Contains(token))
        {
            NamedTokens.Add(token);
        }
    }

    private static JsonDocument ParseFile(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }
    }

    private static string? TokenText(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) ? TokenText(value) : null;

    // A token is written either as its text or as an object with a "content" field (AddedToken's serialized form).
    private static string? TokenText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Object when value.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String
            => content.GetString(),
        _ => null,
    };

    // eos_token_id may be a list (several stop tokens); the first is the one a sequence ends with.
    private static int? TokenId(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var id))
        {
            return id;
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out var first))
                {
                    return first;
                }
            }
        }

        return null;
    }
}
