namespace InterpKernel.Analysis;

/// <summary>Options of <see cref="AttributionGraph.Compute(HookedTransformer, TranscoderSet, TorchSharp.torch.Tensor, AttributionOptions?)"/>.</summary>
public sealed record AttributionOptions
{
    /// <summary>At most this many logit nodes (the most likely next tokens). Default 10.</summary>
    public int MaxLogits { get; init; } = 10;

    /// <summary>Logit nodes are added, most likely first, until their probabilities sum to this. Default 0.95.</summary>
    public double DesiredLogitProbability { get; init; } = 0.95;

    /// <summary>How many target nodes share one backward pass. Default 128.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Throws when an option is out of range, saying what to give instead.</summary>
    public AttributionOptions Validate()
    {
        if (MaxLogits < 1) throw new ArgumentException($"MaxLogits is {MaxLogits}: give at least 1.", nameof(MaxLogits));
        if (DesiredLogitProbability is <= 0 or > 1)
            throw new ArgumentException($"DesiredLogitProbability is {DesiredLogitProbability}: give a probability in (0, 1].", nameof(DesiredLogitProbability));
        if (BatchSize < 1) throw new ArgumentException($"BatchSize is {BatchSize}: give at least 1.", nameof(BatchSize));
        return this;
    }
}
