using System.Globalization;
using System.Text;

namespace InterpKernel;

/// <summary>
/// What <see cref="HookedTransformer.TestPrompt"/> found: the prompt's tokens and, for each answer token, its rank and
/// probability given everything before it (as TransformerLens's <c>test_prompt</c>). <see cref="ToString"/> prints it.
/// </summary>
/// <param name="PromptTokens">The prompt as string tokens.</param>
/// <param name="Answer">Each answer token's rank and probability.</param>
public sealed record PromptTest(IReadOnlyList<string> PromptTokens, IReadOnlyList<AnswerToken> Answer)
{
    /// <summary>A readable report: the tokens, then each answer token's rank, probability and the top tokens.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("Tokenized prompt: [").AppendJoin(", ", PromptTokens.Select(t => $"'{t}'")).AppendLine("]");
        foreach (var a in Answer)
        {
            sb.AppendLine(c, $"Answer '{a.Token}': rank {a.Rank}, probability {a.Probability * 100:F2}%, logit {a.Logit:F2}");
            for (int i = 0; i < a.Top.Count; i++)
                sb.AppendLine(c, $"  top {i}: '{a.Top[i].Token}' {a.Top[i].Probability * 100:F2}%");
        }
        return sb.ToString();
    }
}
