namespace InterpKernel;

/// <summary>
/// How <see cref="HookedTransformer.Generate(TokenBatch, GenerationOptions)"/> picks tokens: greedy at temperature 0,
/// otherwise sampled after temperature, top-k, top-p and a frequency penalty; when to stop; and a callback that sees
/// every step's tokens as they come (streaming).
/// </summary>
/// <example>
/// <code>
/// var options = new GenerationOptions { MaxNewTokens = 20, Temperature = 0.8f, TopP = 0.9f, Seed = 1,
///                                       OnTokens = ids => Console.Write(model.Tokenizer!.Decode(ids)) };
/// </code>
/// </example>
public sealed record GenerationOptions
{
    /// <summary>The most tokens to add to each row.</summary>
    public int MaxNewTokens { get; init; } = 16;

    /// <summary>0 picks the most likely token (greedy); above 0 divides the logits before sampling.</summary>
    public float Temperature { get; init; }

    /// <summary>Sample only among the <c>k</c> most likely tokens (null: all).</summary>
    public int? TopK { get; init; }

    /// <summary>Sample only among the most likely tokens whose probabilities add up to <c>p</c> (nucleus; null: all).</summary>
    public float? TopP { get; init; }

    /// <summary>
    /// Subtracted from a token's logit once per time it already occurs in the row (prompt and continuation), as
    /// TransformerLens's <c>freq_penalty</c>; 0 turns it off.
    /// </summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>A row ends once it produces one of these ids (the id is kept).</summary>
    public IReadOnlyCollection<int>? StopTokens { get; init; }

    /// <summary>A row ends once it produces the EOS token.</summary>
    public bool StopAtEos { get; init; }

    /// <summary>Makes sampling reproducible.</summary>
    public int? Seed { get; init; }

    /// <summary>Keeps past keys and values so each new token costs one position (false re-runs the sequence, for comparison).</summary>
    public bool UseKeyValueCache { get; init; } = true;

    /// <summary>
    /// Called after every step with the token each row produced (rows that have ended report nothing: the array holds
    /// -1 there), so tokens can be shown as they come.
    /// </summary>
    public Action<int[]>? OnTokens { get; init; }
}
