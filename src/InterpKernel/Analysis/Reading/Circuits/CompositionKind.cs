namespace InterpKernel.Analysis;

/// <summary>Which input of a later head reads what an earlier head wrote (Elhage et al., "A Mathematical Framework for Transformer Circuits").</summary>
public enum CompositionKind
{
    /// <summary>The earlier head's output feeds the later head's queries: <c>W_OV¹ · W_QK²</c>.</summary>
    Q,
    /// <summary>The earlier head's output feeds the later head's keys: <c>W_OV¹ · (W_QK²)ᵀ</c>.</summary>
    K,
    /// <summary>The earlier head's output feeds the later head's values: <c>W_OV¹ · W_OV²</c>.</summary>
    V,
}
