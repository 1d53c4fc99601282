namespace InterpKernel;

/// <summary>The features that set the newer families apart (Gemma, Mistral, Qwen3, OLMo-2, GPT-J, GPT-Neo, Mixtral, ...).</summary>
public sealed partial record TransformerConfig
{
    /// <summary>Factor on the query·key scores; <c>1 / √d_head</c> when <c>null</c> (Gemma 2/3: <c>query_pre_attn_scalar^-½</c>, GPT-Neo: 1).</summary>
    public double? AttnScale { get; init; }
    /// <summary>Soft cap on attention scores, <c>c · tanh(s / c)</c>, applied before the causal mask (Gemma 2).</summary>
    public double? AttnScoresSoftcap { get; init; }
    /// <summary>Soft cap on the final logits, <c>c · tanh(logits / c)</c> (Gemma 2).</summary>
    public double? OutputLogitSoftcap { get; init; }
    /// <summary>
    /// Per layer, the sliding-window length (a query sees the keys of its last <c>window</c> positions, itself
    /// included) or <c>null</c> for global attention; <c>null</c> as a whole when every layer is global.
    /// </summary>
    public IReadOnlyList<int?>? SlidingWindows { get; init; }
    /// <summary>Whether attention and MLP read a normalised residual stream (<c>ln1</c>, <c>ln2</c>); OLMo-2 has none.</summary>
    public bool PreNorms { get; init; } = true;
    /// <summary>Whether the attention and MLP outputs are normalised before joining the residual stream (<c>ln1_post</c>, <c>ln2_post</c>: Gemma 2/3, OLMo-2).</summary>
    public bool PostNorms { get; init; }
    /// <summary>RMSNorm on queries and keys (<c>attn.q_ln</c>, <c>attn.k_ln</c>).</summary>
    public QueryKeyNormalization QueryKeyNorm { get; init; } = QueryKeyNormalization.None;
    /// <summary>Whether rotary embeddings rotate adjacent pairs of dimensions (GPT-J) instead of the two halves (GPT-NeoX, Llama).</summary>
    public bool RotaryInterleaved { get; init; }
    /// <summary>Scaling of the rotary frequencies (Llama 3.x, YaRN, ...); <c>null</c> for the default embedding.</summary>
    public RopeScaling? RopeScaling { get; init; }
    /// <summary>Rotary base of the sliding-window layers when it differs from <see cref="RotaryBase"/> (Gemma 3).</summary>
    public double? LocalRotaryBase { get; init; }
    /// <summary>Number of experts of a mixture-of-experts MLP (Mixtral); 0 for a dense MLP.</summary>
    public int NExperts { get; init; }
    /// <summary>Experts each token is routed to (<c>num_experts_per_tok</c>).</summary>
    public int ExpertsPerToken { get; init; }

    /// <summary>The sliding window of layer <paramref name="layer"/>, or <c>null</c> when it attends globally.</summary>
    public int? SlidingWindowOf(int layer) =>
        SlidingWindows is { } w && layer < w.Count ? w[layer] : null;

    /// <summary>Whether the MLP is a mixture of experts.</summary>
    public bool IsMixtureOfExperts => NExperts > 0;

    void ValidateFamilyFeatures()
    {
        if (SlidingWindows is { } windows)
        {
            if (windows.Count != NLayers)
                throw new ArgumentException($"SlidingWindows names {windows.Count} layers, but the model has {NLayers}: give one entry per layer (null for global).", nameof(SlidingWindows));
            if (windows.Any(w => w is <= 0))
                throw new ArgumentException("Every sliding window must be positive (null for a global layer).", nameof(SlidingWindows));
        }
        if (NExperts < 0 || (NExperts > 0 && (ExpertsPerToken <= 0 || ExpertsPerToken > NExperts)))
            throw new ArgumentException(
                $"ExpertsPerToken ({ExpertsPerToken}) must be between 1 and NExperts ({NExperts}) for a mixture of experts.", nameof(ExpertsPerToken));
        if (AttnScoresSoftcap is <= 0 || OutputLogitSoftcap is <= 0)
            throw new ArgumentException("Soft caps must be positive (or null for none).", nameof(AttnScoresSoftcap));
        if (RopeScaling is { Type: not ("linear" or "dynamic" or "llama3" or "yarn") } r)
            throw new ArgumentException($"Rope scaling '{r.Type}' is not supported: use linear, dynamic, llama3 or yarn.", nameof(RopeScaling));
    }
}
