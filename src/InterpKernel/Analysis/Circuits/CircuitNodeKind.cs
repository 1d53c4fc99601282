namespace InterpKernel.Analysis;

/// <summary>What a node of a <see cref="CircuitGraph"/> computes.</summary>
public enum CircuitNodeKind
{
    /// <summary>The token and position embeddings (<c>input</c>).</summary>
    Input,
    /// <summary>One attention head (<c>a{L}.h{H}</c>).</summary>
    AttentionHead,
    /// <summary>One MLP layer (<c>m{L}</c>).</summary>
    Mlp,
    /// <summary>The unembedding (<c>logits</c>); it only receives.</summary>
    Logits,
}
