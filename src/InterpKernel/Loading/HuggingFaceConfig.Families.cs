namespace InterpKernel.Loading;

public static partial class HuggingFaceConfig
{
    static int HeadDim(Reader r, int dModel, int nHeads) =>
        r.OptionalInt("head_dim") ?? (dModel % nHeads == 0 ? dModel / nHeads
            : throw new InvalidDataException($"{r.Source}: hidden_size ({dModel}) is not a multiple of num_attention_heads ({nHeads}) and no head_dim is given."));

    /// <summary>The rotary base and scaling of <c>rope_parameters</c> (or the older <c>rope_scaling</c> and <c>rope_theta</c>).</summary>
    static (double Theta, RopeScaling? Scaling, Reader? Rope) RopeOf(Reader r, Reader? rope = null)
    {
        rope ??= r.Object("rope_parameters") ?? r.Object("rope_scaling");
        double theta = rope?.OptionalDouble("rope_theta") ?? r.OptionalDouble("rope_theta") ?? 10000.0;
        return (theta, ScalingOf(r, rope), rope);
    }

    static RopeScaling? ScalingOf(Reader r, Reader? rope)
    {
        string type = rope?.OptionalString("rope_type") ?? rope?.OptionalString("type") ?? "default";
        if (type == "default") return null;
        if (type is not ("linear" or "dynamic" or "llama3" or "yarn"))
            throw new NotSupportedException(
                $"{r.Source}: rope_type '{type}' is not supported. Supported rope types: default, linear, dynamic, llama3, yarn.");
        var p = rope!;
        return new RopeScaling
        {
            Type = type,
            Factor = p.Double("factor", 1.0),
            OriginalMaxPositions = p.OptionalInt("original_max_position_embeddings"),
            LowFreqFactor = p.Double("low_freq_factor", 1.0),
            HighFreqFactor = p.Double("high_freq_factor", 4.0),
            AttentionFactor = p.OptionalDouble("attention_factor"),
            BetaFast = p.Double("beta_fast", 32),
            BetaSlow = p.Double("beta_slow", 1),
            MScale = p.OptionalDouble("mscale"),
            MScaleAllDim = p.OptionalDouble("mscale_all_dim"),
            Truncate = p.Bool("truncate", true),
        };
    }

    /// <summary>Dynamic NTK scaling exists to run past the trained context: allow <c>factor</c> times as many positions.</summary>
    static int ContextFor(Reader r, RopeScaling? scaling)
    {
        int max = r.Int("max_position_embeddings");
        return scaling is { Type: "dynamic" } s ? (int)(max * Math.Max(1.0, s.Factor)) : max;
    }

    /// <summary>Per-layer sliding windows from <c>layer_types</c>, or each family's older convention; <c>null</c> when every layer is global.</summary>
    static IReadOnlyList<int?>? SlidingWindows(Reader r, string modelType)
    {
        int n = r.Int("num_hidden_layers");
        int? window = r.OptionalInt("sliding_window");
        if (window is null) return null;
        Func<int, bool> sliding;
        if (r.StringArray("layer_types") is { } types)
        {
            if (types.Count != n)
                throw new InvalidDataException($"{r.Source}: layer_types names {types.Count} layers, but num_hidden_layers is {n}.");
            sliding = i => types[i] == "sliding_attention";
        }
        else
        {
            sliding = modelType switch
            {
                "qwen2" or "qwen3" when !r.Bool("use_sliding_window", false) => _ => false,
                "qwen2" or "qwen3" => i => i >= (r.OptionalInt("max_window_layers") ?? n),
                "gemma2" => i => (i + 1) % 2 != 0,
                "gemma3_text" => i => (i + 1) % (r.OptionalInt("sliding_window_pattern") ?? r.OptionalInt("_sliding_window_pattern") ?? 6) != 0,
                _ => _ => true,
            };
        }
        var windows = Enumerable.Range(0, n).Select(i => sliding(i) ? window : null).ToList();
        return windows.All(w => w is null) ? null : windows;
    }

    static TransformerConfig Mixtral(Reader r) => Llama(r, "mixtral") with
    {
        NExperts = r.Int("num_local_experts"),
        ExpertsPerToken = r.Int("num_experts_per_tok"),
    };

    // OLMo-2: no norms before attention and MLP, RMSNorm after each, and q/k norms over the whole projection.
    static TransformerConfig Olmo2(Reader r) => Llama(r, "olmo2") with
    {
        LayerNormEps = r.Double("rms_norm_eps", 1e-5),
        PreNorms = false,
        PostNorms = true,
        QueryKeyNorm = QueryKeyNormalization.WholeProjection,
    };

    // Gemma: embeddings scaled by √d_model and RMSNorm (1 + w), both folded into the weights by the converter; GeGLU.
    static TransformerConfig Gemma(Reader r, string modelType)
    {
        int dModel = r.Int("hidden_size");
        int nHeads = r.Int("num_attention_heads");
        int dHead = HeadDim(r, dModel, nHeads);
        var byLayerType = r.Object("rope_parameters") is { } rp && rp.Object("full_attention") is { } full ? (Global: full, Local: rp.Object("sliding_attention")) : default;
        var (theta, scaling, _) = byLayerType.Global is not null ? RopeOf(r, byLayerType.Global) : RopeOf(r);
        double? localBase = byLayerType.Local is { } local ? RopeOf(r, local) is var (lt, ls, _) && ls is null ? lt
                : throw new NotSupportedException($"{r.Source}: rope scaling on sliding-window layers is not supported.")
            : r.OptionalDouble("rope_local_base_freq");
        var cfg = Rotary(r, modelType, dModel, nHeads, dHead, theta) with
        {
            LayerNormEps = r.Double("rms_norm_eps", 1e-6),
            Activation = r.OptionalString("hidden_activation") ?? r.String("hidden_act", "gelu_pytorch_tanh"),
            Normalization = NormalizationType.RmsNorm,
            NKeyValueHeads = r.OptionalInt("num_key_value_heads") ?? nHeads,
            GatedMlp = true,
            TiedEmbeddings = r.Bool("tie_word_embeddings", true),
            RopeScaling = scaling,
            NCtx = ContextFor(r, scaling),
        };
        if (modelType == "gemma") return cfg;
        cfg = cfg with
        {
            AttnScale = 1.0 / Math.Sqrt(r.Double("query_pre_attn_scalar", dHead)),
            AttnScoresSoftcap = r.OptionalDouble("attn_logit_softcapping"),
            OutputLogitSoftcap = r.OptionalDouble("final_logit_softcapping"),
            PostNorms = true,
            SlidingWindows = SlidingWindows(r, modelType),
        };
        return modelType == "gemma2" ? cfg : cfg with
        {
            QueryKeyNorm = QueryKeyNormalization.PerHead,
            LocalRotaryBase = localBase is { } lb && lb != theta ? lb : null,
        };
    }

    // GPT-J: one LayerNorm read by attention and MLP in parallel, interleaved rotary on the first rotary_dim dimensions.
    static TransformerConfig GptJ(Reader r)
    {
        var c = Gpt2Names(r, "gptj", tiedByDefault: false);
        return c with
        {
            PositionalEmbedding = PositionalEmbeddingType.Rotary,
            RotaryDim = r.OptionalInt("rotary_dim") ?? c.DHead,
            RotaryInterleaved = true,
            RotaryBase = r.OptionalDouble("rope_theta") ?? 10000.0,
            ParallelAttnMlp = true,
        };
    }

    // GPT-Neo: GPT-2's layout with unscaled attention scores and local (windowed) layers between global ones.
    static TransformerConfig GptNeo(Reader r)
    {
        int dModel = r.Int("hidden_size");
        int nHeads = r.Int("num_heads");
        int nLayers = r.Int("num_layers");
        if (dModel % nHeads != 0)
            throw new InvalidDataException($"{r.Source}: hidden_size ({dModel}) is not a multiple of num_heads ({nHeads}).");
        var kinds = r.StringArray("attention_layers")
            ?? throw new InvalidDataException($"{r.Source}: GPT-Neo's attention_layers (global/local per layer) is missing.");
        if (kinds.Count != nLayers)
            throw new InvalidDataException($"{r.Source}: attention_layers names {kinds.Count} layers, but num_layers is {nLayers}.");
        int window = r.Int("window_size");
        var windows = kinds.Select(k => k == "local" ? (int?)window : null).ToList();
        return new TransformerConfig
        {
            ModelType = "gpt_neo",
            DModel = dModel,
            NHeads = nHeads,
            DHead = dModel / nHeads,
            NLayers = nLayers,
            DMlp = r.OptionalInt("intermediate_size") ?? 4 * dModel,
            NCtx = r.Int("max_position_embeddings"),
            DVocab = r.Int("vocab_size"),
            LayerNormEps = r.Double("layer_norm_epsilon", 1e-5),
            Activation = r.String("activation_function", "gelu_new"),
            TiedEmbeddings = r.Bool("tie_word_embeddings", true),
            Normalization = NormalizationType.LayerNorm,
            PositionalEmbedding = PositionalEmbeddingType.Standard,
            AttnScale = 1.0,
            SlidingWindows = windows.All(w => w is null) ? null : windows,
            BosTokenId = r.OptionalInt("bos_token_id"),
            EosTokenId = r.OptionalInt("eos_token_id"),
        };
    }

    // StableLM: Llama's gated MLP with LayerNorm and partial (NeoX-style) rotary.
    static TransformerConfig StableLm(Reader r)
    {
        if (r.Bool("qk_layernorm", false))
            throw new NotSupportedException($"{r.Source}: StableLM with qk_layernorm (per-head LayerNorm on queries and keys) is not supported.");
        int dModel = r.Int("hidden_size");
        int nHeads = r.Int("num_attention_heads");
        int dHead = HeadDim(r, dModel, nHeads);
        var (theta, scaling, rope) = RopeOf(r);
        double pct = rope?.OptionalDouble("partial_rotary_factor") ?? r.OptionalDouble("partial_rotary_factor") ?? 0.25;
        return Rotary(r, "stablelm", dModel, nHeads, dHead, theta) with
        {
            LayerNormEps = r.Double("layer_norm_eps", 1e-5),
            Activation = r.String("hidden_act", "silu"),
            Normalization = NormalizationType.LayerNorm,
            NKeyValueHeads = r.OptionalInt("num_key_value_heads") ?? nHeads,
            GatedMlp = true,
            RotaryDim = (int)(dHead * pct),
            RopeScaling = scaling,
            NCtx = ContextFor(r, scaling),
            ParallelAttnMlp = r.Bool("use_parallel_residual", false),
        };
    }
}
