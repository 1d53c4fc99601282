namespace InterpKernel.Analysis;

/// <summary>How a probe is trained and evaluated.</summary>
public sealed record ProbeOptions
{
    /// <summary>The share of rows held out for testing (0 &lt; f &lt; 1).</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Seed of the train/test split, so results can be reproduced.</summary>
    public int Seed { get; init; }

    /// <summary>L2 penalty on the weights (on standardised features); for ridge regression, the ridge strength per row.</summary>
    public double WeightDecay { get; init; } = 1e-3;

    /// <summary>The most full-batch optimisation steps for logistic probes.</summary>
    public int MaxEpochs { get; init; } = 400;

    /// <summary>Stop after this many steps without improvement of the validation loss.</summary>
    public int Patience { get; init; } = 25;

    /// <summary>The share of the training rows used to decide early stopping.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Adam's learning rate for logistic probes.</summary>
    public double LearningRate { get; init; } = 0.05;

    internal ProbeOptions Validate()
    {
        if (!(TestFraction > 0 && TestFraction < 1))
            throw new ArgumentException($"TestFraction must lie strictly between 0 and 1, but is {TestFraction}.", nameof(TestFraction));
        if (!(ValidationFraction >= 0 && ValidationFraction < 1))
            throw new ArgumentException($"ValidationFraction must lie in [0, 1), but is {ValidationFraction}.", nameof(ValidationFraction));
        if (WeightDecay < 0 || double.IsNaN(WeightDecay))
            throw new ArgumentException($"WeightDecay must be 0 or more, but is {WeightDecay}.", nameof(WeightDecay));
        if (MaxEpochs < 1) throw new ArgumentException($"MaxEpochs must be at least 1, but is {MaxEpochs}.", nameof(MaxEpochs));
        if (Patience < 1) throw new ArgumentException($"Patience must be at least 1, but is {Patience}.", nameof(Patience));
        if (!(LearningRate > 0)) throw new ArgumentException($"LearningRate must be positive, but is {LearningRate}.", nameof(LearningRate));
        return this;
    }
}
