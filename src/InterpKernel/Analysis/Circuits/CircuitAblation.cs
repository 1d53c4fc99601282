namespace InterpKernel.Analysis;

/// <summary>What an edge outside the circuit carries when a circuit is evaluated.</summary>
public enum CircuitAblation
{
    /// <summary>The sender's output on the corrupted prompt.</summary>
    Corrupted,
    /// <summary>The sender's output averaged over the clean prompts, position by position.</summary>
    Mean,
}
