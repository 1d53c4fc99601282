using Microsoft.Data.Analysis;

namespace InterpKernel.Analysis;

/// <summary>One strongly activating token with the context around it, captured when it was seen.</summary>
/// <param name="Activation">The activation at the token.</param>
/// <param name="Document">The prompt index, or the chunk index for text files.</param>
/// <param name="Position">The token's position in its chunk (0 is BOS when there is one).</param>
/// <param name="Line">The 1-based line of the token in a text file, else <c>null</c>.</param>
/// <param name="ContextIds">Token ids around the token (BOS excluded).</param>
/// <param name="MarkedIndex">Where the activating token is within <paramref name="ContextIds"/>.</param>
/// <param name="ContextTokens">The context as token strings.</param>
/// <param name="Source">The file the example came from, when known.</param>
public sealed record ActivatingExample(
    float Activation, long Document, int Position, int? Line, int[] ContextIds, int MarkedIndex, string[] ContextTokens, string? Source = null)
{
    /// <summary>The context as text with the activating token marked <c>[[like this]]</c>.</summary>
    public string Marked => string.Concat(ContextTokens.Select((t, i) => i == MarkedIndex ? $"[[{t}]]" : t));

    /// <summary>The activation at every token of the context, when the scan kept them (<see cref="ActivationScan.Run"/> does).</summary>
    public float[]? ContextActivations { get; init; }

    /// <summary>The activating token's string.</summary>
    public string Token => ContextTokens[MarkedIndex];

    /// <summary>Examples as a table: <c>activation</c>, <c>document</c>, <c>position</c>, <c>line</c>, <c>token</c>, <c>context</c>.</summary>
    public static DataFrame ToDataFrame(IEnumerable<ActivatingExample> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var list = examples.ToList();
        return new DataFrame(
            new PrimitiveDataFrameColumn<float>("activation", list.Select(e => e.Activation)),
            new PrimitiveDataFrameColumn<long>("document", list.Select(e => e.Document)),
            new PrimitiveDataFrameColumn<int>("position", list.Select(e => e.Position)),
            new PrimitiveDataFrameColumn<int>("line", list.Select(e => e.Line)),
            new StringDataFrameColumn("token", list.Select(e => e.Token)),
            new StringDataFrameColumn("context", list.Select(e => e.Marked)));
    }
}
