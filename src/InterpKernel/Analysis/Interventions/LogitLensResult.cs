using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// The logit lens of one prompt: for every layer (rows: <c>0_pre</c> … <c>final_post</c>) and position, the top-k
/// tokens of the unembedded residual stream and the probability and rank of a chosen answer. Owns its tensors.
/// </summary>
/// <param name="LayerLabels">One label per row: <c>{layer}_pre</c>, then <c>final_post</c>.</param>
/// <param name="PositionLabels">One label per position.</param>
/// <param name="TopTokens">Top token ids, int64 <c>[layer, pos, k]</c>.</param>
/// <param name="TopTokenText">The same tokens as text, <c>[layer][pos][k]</c>.</param>
/// <param name="TopProbabilities">Their probabilities <c>[layer, pos, k]</c>.</param>
/// <param name="Answer">The answer token as text.</param>
/// <param name="AnswerProbability">The answer's probability <c>[layer, pos]</c>.</param>
/// <param name="AnswerRank">The answer's rank, 0 for the top token, int64 <c>[layer, pos]</c>.</param>
public sealed record LogitLensResult(
    string[] LayerLabels, string[] PositionLabels, Tensor TopTokens, string[][][] TopTokenText, Tensor TopProbabilities,
    string Answer, Tensor AnswerProbability, Tensor AnswerRank) : IDisposable
{
    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        TopTokens.Dispose();
        TopProbabilities.Dispose();
        AnswerProbability.Dispose();
        AnswerRank.Dispose();
    }
}
