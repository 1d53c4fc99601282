namespace InterpKernel;

/// <summary>How a model normalises the residual stream before reading it.</summary>
public enum NormalizationType
{
    /// <summary>LayerNorm with a learned scale and bias (GPT-2, GPT-NeoX).</summary>
    LayerNorm,
    /// <summary>Root-mean-square norm with a learned scale (Llama, Qwen2).</summary>
    RmsNorm,
    /// <summary>LayerNorm whose scale and bias were folded into the following weights (processed weights).</summary>
    LayerNormPre,
    /// <summary>RMSNorm whose scale was folded into the following weights (processed weights).</summary>
    RmsNormPre,
}

/// <summary>How positions enter the model.</summary>
public enum PositionalEmbeddingType
{
    /// <summary>A learned absolute position embedding added to the token embedding (GPT-2).</summary>
    Standard,
    /// <summary>Rotary embeddings applied to queries and keys (GPT-NeoX, Llama, Qwen2).</summary>
    Rotary,
}

/// <summary>
/// The shape and wiring of a transformer, in TransformerLens's vocabulary (<c>d_model</c>, <c>n_heads</c>, ...).
/// Built from a Hugging Face <c>config.json</c> by <see cref="Loading.HuggingFaceConfig"/> or by hand.
/// </summary>
public sealed partial record TransformerConfig
{
    /// <summary>Width of the residual stream.</summary>
    public required int DModel { get; init; }
    /// <summary>Number of query heads per attention layer.</summary>
    public required int NHeads { get; init; }
    /// <summary>Width of one head's queries, keys and values.</summary>
    public required int DHead { get; init; }
    /// <summary>Number of transformer blocks.</summary>
    public required int NLayers { get; init; }
    /// <summary>Width of the MLP's hidden layer.</summary>
    public required int DMlp { get; init; }
    /// <summary>Longest sequence the model accepts.</summary>
    public required int NCtx { get; init; }
    /// <summary>Vocabulary size (rows of <c>W_E</c>, columns of <c>W_U</c>).</summary>
    public required int DVocab { get; init; }
    /// <summary>Epsilon of the normalisation layers.</summary>
    public double LayerNormEps { get; init; } = 1e-5;
    /// <summary>MLP activation: <c>gelu_new</c> (tanh approximation), <c>gelu</c> (exact), <c>relu</c> or <c>silu</c>.</summary>
    public string Activation { get; init; } = "gelu_new";
    /// <summary>Whether the unembedding is the transpose of the embedding in the checkpoint.</summary>
    public bool TiedEmbeddings { get; init; }
    /// <summary>Normalisation used before attention, MLP and unembedding.</summary>
    public NormalizationType Normalization { get; init; } = NormalizationType.LayerNorm;
    /// <summary>Absolute or rotary positions.</summary>
    public PositionalEmbeddingType PositionalEmbedding { get; init; } = PositionalEmbeddingType.Standard;
    /// <summary>Number of key/value heads (grouped-query attention); equals <see cref="NHeads"/> otherwise.</summary>
    public int? NKeyValueHeads { get; init; }
    /// <summary>Number of leading dimensions of each head that rotary embeddings rotate.</summary>
    public int? RotaryDim { get; init; }
    /// <summary>Base of the rotary frequencies (<c>rope_theta</c>).</summary>
    public double RotaryBase { get; init; } = 10000.0;
    /// <summary>Whether attention and MLP read the same residual stream in parallel (GPT-NeoX/Pythia).</summary>
    public bool ParallelAttnMlp { get; init; }
    /// <summary>Whether the MLP is gated (<c>act(x W_gate) * (x W_in)</c>, Llama's SwiGLU).</summary>
    public bool GatedMlp { get; init; }
    /// <summary>Whether the model computes per-head outputs (<c>hook_result</c>, <c>[batch, pos, head_index, d_model]</c>).</summary>
    public bool UseAttnResult { get; init; }
    /// <summary>Whether each head reads its own copy of the residual input for q, k and v (<c>hook_q_input</c>, <c>hook_k_input</c>, <c>hook_v_input</c>).</summary>
    public bool UseSplitQkvInput { get; init; }
    /// <summary>Whether attention reads the residual input copied per head through <c>hook_attn_in</c>.</summary>
    public bool UseAttnIn { get; init; }
    /// <summary>Whether the MLP's input before <c>ln2</c> passes through <c>hook_mlp_in</c>.</summary>
    public bool UseHookMlpIn { get; init; }
    /// <summary>Hugging Face <c>model_type</c> this configuration came from (<c>gpt2</c>, <c>gpt_neox</c>, ...).</summary>
    public string ModelType { get; init; } = "custom";
    /// <summary>Beginning-of-sequence token id, when the checkpoint names one.</summary>
    public int? BosTokenId { get; init; }
    /// <summary>End-of-sequence token id, when the checkpoint names one.</summary>
    public int? EosTokenId { get; init; }

    /// <summary>Key/value heads actually used (<see cref="NKeyValueHeads"/> or <see cref="NHeads"/>).</summary>
    public int KeyValueHeads => NKeyValueHeads ?? NHeads;

    /// <summary>Rotated dimensions per head (all of <see cref="DHead"/> unless a partial rotary factor applies).</summary>
    public int RotaryDims => RotaryDim ?? DHead;

    /// <summary>Whether the normalisation layers carry no weights of their own (weights were folded).</summary>
    public bool NormalizationIsFolded =>
        Normalization is NormalizationType.LayerNormPre or NormalizationType.RmsNormPre;

    /// <summary>Checks that the numbers fit together; throws an <see cref="ArgumentException"/> that says what to fix.</summary>
    public TransformerConfig Validate()
    {
        static void Positive(int v, string name)
        {
            if (v <= 0) throw new ArgumentException($"{name} must be positive, but is {v}.", name);
        }
        Positive(DModel, nameof(DModel));
        Positive(NHeads, nameof(NHeads));
        Positive(DHead, nameof(DHead));
        Positive(NLayers, nameof(NLayers));
        Positive(DMlp, nameof(DMlp));
        Positive(NCtx, nameof(NCtx));
        Positive(DVocab, nameof(DVocab));
        if (LayerNormEps <= 0)
            throw new ArgumentException($"LayerNormEps must be positive, but is {LayerNormEps}.", nameof(LayerNormEps));
        if (KeyValueHeads <= 0 || NHeads % KeyValueHeads != 0)
            throw new ArgumentException(
                $"NKeyValueHeads ({KeyValueHeads}) must divide NHeads ({NHeads}) for grouped-query attention.", nameof(NKeyValueHeads));
        if (PositionalEmbedding == PositionalEmbeddingType.Rotary && (RotaryDims <= 0 || RotaryDims > DHead || RotaryDims % 2 != 0))
            throw new ArgumentException(
                $"RotaryDim ({RotaryDims}) must be even and between 2 and DHead ({DHead}).", nameof(RotaryDim));
        if (Activation is not ("gelu_new" or "gelu" or "relu" or "silu" or "gelu_fast" or "gelu_pytorch_tanh"))
            throw new ArgumentException(
                $"Activation '{Activation}' is not supported: use gelu_new, gelu, gelu_fast, gelu_pytorch_tanh, relu or silu.", nameof(Activation));
        ValidateFamilyFeatures();
        return this;
    }
}
