namespace InterpKernel.Analysis;

/// <summary>How <see cref="SaeTrainer"/> trains an SAE.</summary>
public sealed record SaeTrainingOptions
{
    /// <summary><see cref="SaeArchitecture.TopK"/> (default) or <see cref="SaeArchitecture.Standard"/> (ReLU with an L1 penalty).</summary>
    public SaeArchitecture Architecture { get; init; } = SaeArchitecture.TopK;

    /// <summary>
    /// To train a transcoder, the hook whose activation it predicts from the input hook's, e.g.
    /// <c>blocks.0.hook_mlp_out</c> from <c>blocks.0.ln2.hook_normalized</c>; <c>null</c> (the default) trains an SAE,
    /// which reconstructs its input. A transcoder's loss and explained variance are measured against this target.
    /// </summary>
    public string? HookNameOut { get; init; }

    /// <summary>Whether a transcoder gets a trained linear skip term <c>x · W_skip</c> from input to output (it starts at zero).</summary>
    public bool HasSkip { get; init; }

    /// <summary>Number of features; <c>null</c> means 8 × d_in.</summary>
    public int? DSae { get; init; }

    /// <summary>Active features per token for top-k SAEs.</summary>
    public int K { get; init; } = 16;

    /// <summary>
    /// L1 penalty for ReLU SAEs, on feature activations weighted by decoder norms, with inputs scaled so that their
    /// mean squared norm is d_in.
    /// </summary>
    public double L1Coefficient { get; init; } = 0.5;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Activations (token positions) per optimisation step.</summary>
    public int BatchTokens { get; init; } = 1024;

    /// <summary>The step budget.</summary>
    public int Steps { get; init; } = 500;

    /// <summary>Tokens per context cut from the text (BOS included); BOS positions are not trained on.</summary>
    public int ContextLength { get; init; } = 64;

    /// <summary>Contexts run through the model at a time; their activations are shuffled together before batching.</summary>
    public int BufferContexts { get; init; } = 64;

    /// <summary>Contexts set aside (from the start of the text) for the final report.</summary>
    public int EvaluationContexts { get; init; } = 16;

    /// <summary>Seed of the initial weights and the shuffling.</summary>
    public int Seed { get; init; }

    /// <summary>Report progress every this many steps.</summary>
    public int ProgressEvery { get; init; } = 50;

    internal SaeTrainingOptions Validate()
    {
        if (Architecture == SaeArchitecture.JumpRelu)
            throw new ArgumentException("Training supports TopK and Standard (ReLU + L1) SAEs; JumpReLU SAEs can be loaded but not trained here.", nameof(Architecture));
        void Positive(int v, string name) { if (v < 1) throw new ArgumentException($"{name} must be at least 1, but is {v}.", name); }
        Positive(K, nameof(K));
        Positive(BatchTokens, nameof(BatchTokens));
        Positive(Steps, nameof(Steps));
        Positive(BufferContexts, nameof(BufferContexts));
        Positive(EvaluationContexts, nameof(EvaluationContexts));
        Positive(ProgressEvery, nameof(ProgressEvery));
        if (HasSkip && HookNameOut is null)
            throw new ArgumentException("A skip connection belongs to a transcoder: set HookNameOut to the hook it predicts.", nameof(HasSkip));
        if (HookNameOut is not null && string.IsNullOrWhiteSpace(HookNameOut))
            throw new ArgumentException("HookNameOut is blank: name the hook the transcoder predicts, or leave it null to train an SAE.", nameof(HookNameOut));
        if (DSae is < 1) throw new ArgumentException($"DSae must be at least 1, but is {DSae}.", nameof(DSae));
        if (ContextLength < 2) throw new ArgumentException($"ContextLength must be at least 2, but is {ContextLength}.", nameof(ContextLength));
        if (!(LearningRate > 0)) throw new ArgumentException($"LearningRate must be positive, but is {LearningRate}.", nameof(LearningRate));
        if (L1Coefficient < 0) throw new ArgumentException($"L1Coefficient must be 0 or more, but is {L1Coefficient}.", nameof(L1Coefficient));
        return this;
    }
}
