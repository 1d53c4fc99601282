namespace InterpKernel.Analysis;

/// <summary>Memory and batching settings for circuit discovery and evaluation.</summary>
public sealed record CircuitOptions
{
    /// <summary>The default memory budget for one pass: 1 GiB.</summary>
    public const long DefaultMemoryBudgetBytes = 1L << 30;

    /// <summary>
    /// Roughly how many bytes of activations one pass may hold; the receivers whose gradients one backward pass reads
    /// (layers at a time) and the patched variants one forward runs are chosen to fit.
    /// </summary>
    public long MemoryBudgetBytes { get; init; } = DefaultMemoryBudgetBytes;

    /// <summary>Layers whose receiver gradients one backward pass reads; null chooses from the budget.</summary>
    public int? ReceiverLayersPerPass { get; init; }

    /// <summary>Edge patches run side by side in one forward pass; null chooses from the budget.</summary>
    public int? PatchesPerPass { get; init; }

    internal void Validate()
    {
        if (MemoryBudgetBytes <= 0)
            throw new ArgumentException($"MemoryBudgetBytes must be positive, got {MemoryBudgetBytes}.", nameof(MemoryBudgetBytes));
        if (ReceiverLayersPerPass is < 1)
            throw new ArgumentException($"ReceiverLayersPerPass must be at least 1 (or null to choose from the budget), got {ReceiverLayersPerPass}.", nameof(ReceiverLayersPerPass));
        if (PatchesPerPass is < 1)
            throw new ArgumentException($"PatchesPerPass must be at least 1 (or null to choose from the budget), got {PatchesPerPass}.", nameof(PatchesPerPass));
    }
}
