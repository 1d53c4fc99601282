namespace InterpKernel.Analysis;

/// <summary>What an ablated activation is replaced with.</summary>
public enum AblationKind
{
    /// <summary>Zero.</summary>
    Zero,
    /// <summary>Its mean over the batch and positions of a reference set of prompts.</summary>
    Mean,
    /// <summary>Its value on a randomly drawn reference prompt of the same length (resample ablation).</summary>
    Resample,
}
