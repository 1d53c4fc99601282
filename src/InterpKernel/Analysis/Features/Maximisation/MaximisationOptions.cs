namespace InterpKernel.Analysis;

/// <summary>The budget and settings of an activation-maximisation search.</summary>
public sealed record MaximisationOptions
{
    /// <summary>Tokens to optimise (after BOS); the target is read at the last one.</summary>
    public int Length { get; init; } = 8;

    /// <summary>The step budget.</summary>
    public int Steps { get; init; } = 60;

    /// <summary>Seed of the initial tokens and of candidate sampling.</summary>
    public int Seed { get; init; }

    /// <summary>Greedy coordinate gradient: the most promising tokens per position, by gradient, to draw swaps from.</summary>
    public int TopK { get; init; } = 64;

    /// <summary>Greedy coordinate gradient: single-token swaps evaluated per step.</summary>
    public int Candidates { get; init; } = 128;

    /// <summary>Continuous search: Adam's learning rate on the input embeddings.</summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>How many of the best sequences to return.</summary>
    public int Keep { get; init; } = 5;

    /// <summary>Report progress every this many steps.</summary>
    public int ProgressEvery { get; init; } = 10;

    internal MaximisationOptions Validate()
    {
        void Positive(int v, string name) { if (v < 1) throw new ArgumentException($"{name} must be at least 1, but is {v}.", name); }
        Positive(Length, nameof(Length));
        Positive(Steps, nameof(Steps));
        Positive(TopK, nameof(TopK));
        Positive(Candidates, nameof(Candidates));
        Positive(Keep, nameof(Keep));
        Positive(ProgressEvery, nameof(ProgressEvery));
        if (!(LearningRate > 0)) throw new ArgumentException($"LearningRate must be positive, but is {LearningRate}.", nameof(LearningRate));
        return this;
    }
}
