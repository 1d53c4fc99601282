namespace InterpKernel.Analysis;

/// <summary>How <see cref="ActivationCollector"/> batches prompts.</summary>
public sealed record CollectionOptions
{
    /// <summary>
    /// The most tokens (batch × padded length) one forward pass may hold; it bounds the device memory a batch uses.
    /// A single prompt longer than this still runs, alone.
    /// </summary>
    public int MaxTokensPerBatch { get; init; } = 4096;

    /// <summary>Whether text prompts get the tokenizer's BOS token first.</summary>
    public bool PrependBos { get; init; } = true;

    internal CollectionOptions Validate()
    {
        if (MaxTokensPerBatch < 1)
            throw new ArgumentException($"MaxTokensPerBatch must be at least 1, but is {MaxTokensPerBatch}.", nameof(MaxTokensPerBatch));
        return this;
    }
}
