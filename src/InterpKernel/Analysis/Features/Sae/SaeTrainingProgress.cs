namespace InterpKernel.Analysis;

/// <summary>Where SAE training stands, reported every <see cref="SaeTrainingOptions.ProgressEvery"/> steps.</summary>
/// <param name="Step">Steps done.</param>
/// <param name="Steps">The step budget.</param>
/// <param name="Tokens">Activations trained on so far.</param>
/// <param name="Loss">The last step's loss.</param>
/// <param name="ExplainedVariance">Explained variance on the last batch.</param>
/// <param name="L0">Mean active features per token on the last batch.</param>
/// <param name="Elapsed">Time since training began.</param>
public sealed record SaeTrainingProgress(int Step, int Steps, long Tokens, double Loss, double ExplainedVariance, double L0, TimeSpan Elapsed);
