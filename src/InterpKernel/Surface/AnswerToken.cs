namespace InterpKernel;

/// <summary>One token of the answer in a <see cref="PromptTest"/>: where the model ranked it, and what it preferred.</summary>
/// <param name="Token">The answer token as a string.</param>
/// <param name="Rank">0 when it was the model's first choice.</param>
/// <param name="Probability">The model's probability for it.</param>
/// <param name="Logit">Its logit.</param>
/// <param name="Top">The model's most likely tokens at that position, with their probabilities.</param>
public sealed record AnswerToken(string Token, int Rank, double Probability, double Logit, IReadOnlyList<(string Token, double Probability)> Top);
