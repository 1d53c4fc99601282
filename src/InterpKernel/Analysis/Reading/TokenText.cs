namespace InterpKernel.Analysis;

/// <summary>How reading tools show a token id: its decoded text, or <c>#id</c> when the model has no tokenizer.</summary>
internal static class TokenText
{
    public static string Of(HookedTransformer model, int id) =>
        model.Tokenizer is { } tok ? tok.Decode([id]) : $"#{id}";

    public static string[] Of(HookedTransformer model, IReadOnlyList<int> ids) =>
        model.Tokenizer is { } tok ? tok.ToStrTokens(ids) : ids.Select(i => $"#{i}").ToArray();
}
