using Microsoft.Data.Analysis;

namespace InterpKernel.Analysis;

/// <summary>
/// Per-position loss on repeated tokens <c>[BOS, x₁…x_S, x₁…x_S]</c>, averaged over the batch. A model with
/// induction heads predicts the second copy far better than the first.
/// </summary>
/// <param name="PerPosition">Loss of predicting token <c>i + 1</c> from the prefix ending at <c>i</c>, <c>2S</c> values.</param>
/// <param name="FirstCopyLoss">Mean loss over the first copy's tokens (1…S).</param>
/// <param name="SecondCopyLoss">Mean loss over the second copy's tokens (S+1…2S).</param>
/// <param name="SeqLen">S, the length of one copy.</param>
public sealed record InContextLossCurve(float[] PerPosition, double FirstCopyLoss, double SecondCopyLoss, int SeqLen)
{
    /// <summary>How much lower the second copy's loss is than the first's.</summary>
    public double Improvement => FirstCopyLoss - SecondCopyLoss;

    /// <summary>The curve as a table: <c>position</c> (of the predicted token), <c>copy</c> (1 or 2), <c>loss</c>.</summary>
    public DataFrame ToDataFrame() => new(
        new PrimitiveDataFrameColumn<int>("position", PerPosition.Select((_, i) => i + 1)),
        new PrimitiveDataFrameColumn<int>("copy", PerPosition.Select((_, i) => i < SeqLen ? 1 : 2)),
        new PrimitiveDataFrameColumn<float>("loss", PerPosition));
}
