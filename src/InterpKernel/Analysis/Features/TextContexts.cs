using InterpKernel.Tokenization;

namespace InterpKernel.Analysis;

/// <summary>Cuts a stream of text lines into fixed-length token contexts (BOS first), reading lines lazily.</summary>
internal static class TextContexts
{
    public static IEnumerable<int[]> FromLines(ModelTokenizer tokenizer, IEnumerable<string> lines, int contextLength)
    {
        if (contextLength < 2) throw new ArgumentException($"contextLength must be at least 2 (BOS and one token), but is {contextLength}.", nameof(contextLength));
        int? bos = tokenizer.BosTokenId;
        int body = bos is null ? contextLength : contextLength - 1;
        var pending = new List<int>();
        foreach (var line in lines)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            pending.AddRange(tokenizer.Encode(line.Trim() + "\n", prependBos: false));
            while (pending.Count >= body)
            {
                var ctx = new int[contextLength];
                int at = 0;
                if (bos is { } b) ctx[at++] = b;
                pending.CopyTo(0, ctx, at, body);
                pending.RemoveRange(0, body);
                yield return ctx;
            }
        }
    }

    public static HookedTransformer RequireTokenizer(HookedTransformer model) => model.Tokenizer is null
        ? throw new InvalidOperationException("This model has no tokenizer, so it cannot read text: put the tokenizer files next to the weights.")
        : model;
}
