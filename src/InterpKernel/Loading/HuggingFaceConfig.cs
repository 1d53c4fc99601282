using System.Text.Json;

namespace InterpKernel.Loading;

/// <summary>Reads a Hugging Face <c>config.json</c> into a <see cref="TransformerConfig"/>.</summary>
public static partial class HuggingFaceConfig
{
    /// <summary>The <c>model_type</c> values that load.</summary>
    public static IReadOnlyList<string> SupportedModelTypes { get; } =
        ["gpt2", "gpt_neo", "gptj", "gpt_neox", "stablelm", "llama", "mistral", "mixtral", "qwen2", "qwen3", "phi3", "olmo2", "gemma", "gemma2", "gemma3_text"];

    /// <summary>Parses the <c>config.json</c> at <paramref name="path"/>.</summary>
    public static TransformerConfig Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"No config.json at '{path}': a Hugging Face model folder needs one next to its weights.", path);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }
        using (doc) return Parse(doc.RootElement, path);
    }

    /// <summary>Parses an already-read <c>config.json</c>; <paramref name="source"/> names it in error messages.</summary>
    public static TransformerConfig Parse(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{source}: config.json must hold a JSON object.");
        var r = new Reader(root, source);
        string modelType = r.String("model_type");
        var config = modelType switch
        {
            "gpt2" => Gpt2(r),
            "gpt_neox" => GptNeoX(r),
            "llama" or "qwen2" or "mistral" or "qwen3" or "phi3" => Llama(r, modelType),
            "mixtral" => Mixtral(r),
            "olmo2" => Olmo2(r),
            "gemma" or "gemma2" or "gemma3_text" => Gemma(r, modelType),
            "gptj" => GptJ(r),
            "gpt_neo" => GptNeo(r),
            "stablelm" => StableLm(r),
            _ => throw new NotSupportedException(
                $"{source}: model_type '{modelType}' is not supported. Supported model types: {string.Join(", ", SupportedModelTypes)}."),
        };
        // Small test checkpoints often keep a full-size tokenizer's special ids (GPT-2's 50256) with a tiny vocabulary:
        // an id the embedding has no row for cannot be fed to the model, so it is not taken as the model's BOS or EOS.
        config = config with
        {
            BosTokenId = config.BosTokenId < config.DVocab ? config.BosTokenId : null,
            EosTokenId = config.EosTokenId < config.DVocab ? config.EosTokenId : null,
        };
        try
        {
            return config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{source}: the config is contradictory: {e.Message}", e);
        }
    }

    static TransformerConfig Gpt2(Reader r)
    {
        if (r.Bool("scale_attn_by_inverse_layer_idx", false) || r.Bool("reorder_and_upcast_attn", false) || !r.Bool("scale_attn_weights", true))
            throw new NotSupportedException($"{r.Source}: GPT-2 variants with scale_attn_by_inverse_layer_idx, reorder_and_upcast_attn or without scale_attn_weights are not supported.");
        return Gpt2Names(r, "gpt2", tiedByDefault: true);
    }

    /// <summary>The fields of a config written with GPT-2's names (<c>n_embd</c>, <c>n_head</c>, <c>n_layer</c>, ...): a LayerNorm model with learned positions.</summary>
    static TransformerConfig Gpt2Names(Reader r, string modelType, bool tiedByDefault)
    {
        int dModel = r.Int("n_embd");
        int nHeads = r.Int("n_head");
        if (dModel % nHeads != 0)
            throw new InvalidDataException($"{r.Source}: n_embd ({dModel}) is not a multiple of n_head ({nHeads}).");
        return new TransformerConfig
        {
            ModelType = modelType,
            DModel = dModel,
            NHeads = nHeads,
            DHead = dModel / nHeads,
            NLayers = r.Int("n_layer"),
            DMlp = r.OptionalInt("n_inner") ?? 4 * dModel,
            NCtx = r.Int("n_positions"),
            DVocab = r.Int("vocab_size"),
            LayerNormEps = r.Double("layer_norm_epsilon", 1e-5),
            Activation = r.String("activation_function", "gelu_new"),
            TiedEmbeddings = r.Bool("tie_word_embeddings", tiedByDefault),
            Normalization = NormalizationType.LayerNorm,
            PositionalEmbedding = PositionalEmbeddingType.Standard,
            BosTokenId = r.OptionalInt("bos_token_id"),
            EosTokenId = r.OptionalInt("eos_token_id"),
        };
    }

    static TransformerConfig GptNeoX(Reader r)
    {
        int dModel = r.Int("hidden_size");
        int nHeads = r.Int("num_attention_heads");
        if (dModel % nHeads != 0)
            throw new InvalidDataException($"{r.Source}: hidden_size ({dModel}) is not a multiple of num_attention_heads ({nHeads}).");
        int dHead = dModel / nHeads;
        var rope = r.Object("rope_parameters") ?? r.Object("rope_scaling");
        double pct = rope?.OptionalDouble("partial_rotary_factor") ?? r.OptionalDouble("rotary_pct") ?? r.OptionalDouble("partial_rotary_factor") ?? 1.0;
        double theta = rope?.OptionalDouble("rope_theta") ?? r.OptionalDouble("rotary_emb_base") ?? r.OptionalDouble("rope_theta") ?? 10000.0;
        RequireDefaultRope(r, rope);
        return Rotary(r, "gpt_neox", dModel, nHeads, dHead, theta) with
        {
            LayerNormEps = r.Double("layer_norm_eps", 1e-5),
            Activation = r.String("hidden_act", "gelu"),
            Normalization = NormalizationType.LayerNorm,
            RotaryDim = (int)(dHead * pct),
            ParallelAttnMlp = r.Bool("use_parallel_residual", true),
        };
    }

    // Attention biases (Qwen2's q/k/v, Llama's optional ones) are read from the checkpoint, not the config.
    // Mistral, Qwen3 and Phi-3 share Llama's layout (Phi-3 fuses q/k/v and gate/up in the checkpoint, Qwen3 adds q/k norms).
    static TransformerConfig Llama(Reader r, string modelType)
    {
        int dModel = r.Int("hidden_size");
        int nHeads = r.Int("num_attention_heads");
        int dHead = HeadDim(r, dModel, nHeads);
        var (theta, scaling, rope) = RopeOf(r);
        double pct = rope?.OptionalDouble("partial_rotary_factor") ?? r.OptionalDouble("partial_rotary_factor") ?? 1.0;
        return Rotary(r, modelType, dModel, nHeads, dHead, theta) with
        {
            LayerNormEps = r.Double("rms_norm_eps", 1e-6),
            Activation = r.String("hidden_act", "silu"),
            Normalization = NormalizationType.RmsNorm,
            NKeyValueHeads = r.OptionalInt("num_key_value_heads") ?? nHeads,
            GatedMlp = true,
            RotaryDim = (int)(dHead * pct),
            RopeScaling = scaling,
            NCtx = ContextFor(r, scaling),
            SlidingWindows = SlidingWindows(r, modelType),
            QueryKeyNorm = modelType == "qwen3" ? QueryKeyNormalization.PerHead : QueryKeyNormalization.None,
        };
    }

    /// <summary>The fields GPT-NeoX, Llama and Qwen2 configs share, with rotary positions.</summary>
    static TransformerConfig Rotary(Reader r, string modelType, int dModel, int nHeads, int dHead, double theta) => new()
    {
        ModelType = modelType,
        DModel = dModel,
        NHeads = nHeads,
        DHead = dHead,
        NLayers = r.Int("num_hidden_layers"),
        DMlp = r.Int("intermediate_size"),
        NCtx = r.Int("max_position_embeddings"),
        DVocab = r.Int("vocab_size"),
        TiedEmbeddings = r.Bool("tie_word_embeddings", false),
        PositionalEmbedding = PositionalEmbeddingType.Rotary,
        RotaryBase = theta,
        BosTokenId = r.OptionalInt("bos_token_id"),
        EosTokenId = r.OptionalInt("eos_token_id"),
    };

    internal static void RequireDefaultRope(Reader r, Reader? rope)
    {
        string? type = rope?.OptionalString("rope_type") ?? rope?.OptionalString("type");
        if (type is not null and not "default")
            throw new NotSupportedException($"{r.Source}: rope_type '{type}' is not supported; only the default rotary embedding is.");
    }

    internal sealed class Reader(JsonElement root, string source)
    {
        public string Source => source;

        JsonElement? Find(string name) =>
            root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

        public string String(string name, string? fallback = null) =>
            OptionalString(name) ?? fallback ?? throw new InvalidDataException($"{source}: the field '{name}' is missing.");

        public string? OptionalString(string name) => Find(name) is { } v
            ? (v.ValueKind == JsonValueKind.String ? v.GetString() : throw new InvalidDataException($"{source}: '{name}' must be a string."))
            : null;

        public int Int(string name) => OptionalInt(name) ?? throw new InvalidDataException($"{source}: the field '{name}' is missing.");

        public int? OptionalInt(string name)
        {
            if (Find(name) is not { } v) return null;
            if (v.ValueKind == JsonValueKind.Array) return null; // e.g. several eos ids: none is the one
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int i))
                throw new InvalidDataException($"{source}: '{name}' must be an integer, but is {v.GetRawText()}.");
            return i;
        }

        public double Double(string name, double fallback) => OptionalDouble(name) ?? fallback;

        public double? OptionalDouble(string name) => Find(name) is { } v
            ? (v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw new InvalidDataException($"{source}: '{name}' must be a number."))
            : null;

        public bool Bool(string name, bool fallback) => Find(name) is { } v
            ? v.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new InvalidDataException($"{source}: '{name}' must be true or false."),
            }
            : fallback;

        public IReadOnlyList<string>? StringArray(string name) => Find(name) is { ValueKind: JsonValueKind.Array } v
            ? v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new InvalidDataException($"{source}: '{name}' must hold strings.")).ToList()
            : null;

        public bool Has(string name) => Find(name) is not null;

        public Reader? Object(string name) => Find(name) is { ValueKind: JsonValueKind.Object } v ? new Reader(v, source) : null;
    }
}
