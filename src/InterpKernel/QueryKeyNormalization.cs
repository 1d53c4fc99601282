namespace InterpKernel;

/// <summary>Whether and how queries and keys are normalised before rotary embeddings are applied.</summary>
public enum QueryKeyNormalization
{
    /// <summary>No query/key norm (most families).</summary>
    None,
    /// <summary>RMSNorm over each head's <c>d_head</c> dimensions (Qwen3, Gemma 3).</summary>
    PerHead,
    /// <summary>RMSNorm over the whole query (<c>n_heads · d_head</c>) and key (<c>n_kv_heads · d_head</c>) projection (OLMo-2).</summary>
    WholeProjection,
}
