namespace InterpKernel.Analysis;

/// <summary>Where an activation-maximisation search stands.</summary>
/// <param name="Step">Steps done.</param>
/// <param name="Steps">The step budget.</param>
/// <param name="Best">The best activation found so far (of real tokens).</param>
/// <param name="BestText">The text of that sequence.</param>
public sealed record MaximisationProgress(int Step, int Steps, double Best, string BestText);
