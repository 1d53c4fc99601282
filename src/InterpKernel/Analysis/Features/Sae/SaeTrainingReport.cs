namespace InterpKernel.Analysis;

/// <summary>The outcome of SAE training, measured on held-out contexts.</summary>
/// <param name="Steps">Optimisation steps taken.</param>
/// <param name="Tokens">Activations trained on.</param>
/// <param name="Elapsed">Wall-clock training time (activation collection included).</param>
/// <param name="Evaluation">Reconstruction and loss-recovered metrics on the held-out contexts.</param>
public sealed record SaeTrainingReport(int Steps, long Tokens, TimeSpan Elapsed, SaeEvaluation Evaluation)
{
    /// <inheritdoc />
    public override string ToString() => $"{Steps} steps, {Tokens} tokens, {Elapsed.TotalSeconds:F1} s; held out: {Evaluation}";
}
