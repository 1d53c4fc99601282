using InterpKernel.Tokenization;
using static TorchSharp.torch;

namespace InterpKernel;

public sealed partial class HookedTransformer
{
    /// <summary>Token ids <c>[1, pos]</c> (int64, on the model's device) of <paramref name="text"/>, BOS first by default.</summary>
    /// <example><code>using var tokens = model.ToTokens("In the beginning"); // [1, 4]</code></example>
    public Tensor ToTokens(string text, bool prependBos = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        int[] ids = RequireTokenizer().Encode(text, prependBos);
        if (ids.Length > Config.NCtx)
            throw new ArgumentException(
                $"The prompt has {ids.Length} tokens, longer than the model's context of {Config.NCtx} tokens (n_ctx): shorten it or split it.", nameof(text));
        using var flat = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length], ScalarType.Int64);
        return flat.to(Device, copy: true);
    }

    /// <summary>
    /// Several texts padded into one <see cref="TokenBatch"/> (tokens and attention mask, <c>[batch, pos]</c>) with the
    /// pad (else EOS) token, on <paramref name="padding"/>'s side; BOS first in every row by default.
    /// </summary>
    /// <example><code>using var batch = model.ToTokens(["In the beginning", "And God said"], PaddingSide.Left);</code></example>
    public TokenBatch ToTokens(IReadOnlyList<string> texts, PaddingSide padding = PaddingSide.Right, bool prependBos = true)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) throw new ArgumentException("Give at least one text.", nameof(texts));
        var tok = RequireTokenizer();
        var ids = texts.Select(t => (IReadOnlyList<int>)tok.Encode(t ?? throw new ArgumentException("A text is null.", nameof(texts)), prependBos)).ToArray();
        int longest = ids.Max(i => i.Count);
        if (longest > Config.NCtx)
            throw new ArgumentException($"The longest text has {longest} tokens, longer than the model's context of {Config.NCtx} tokens (n_ctx).", nameof(texts));
        int empty = Array.FindIndex(ids, i => i.Count == 0);
        if (empty >= 0)
            throw new ArgumentException($"Text {empty} encodes to no tokens: give it some text, or keep prependBos.", nameof(texts));
        return TokenBatch.FromIds(ids, PadTokenId, padding, Device);
    }

    /// <summary>Like <see cref="ToTokens(IReadOnlyList{string}, PaddingSide, bool)"/> with right padding.</summary>
    public TokenBatch ToTokens(IReadOnlyList<string> texts, bool prependBos) => ToTokens(texts, PaddingSide.Right, prependBos);

    /// <summary>The id pads are filled with: the tokenizer's pad token, else its EOS token, else 0.</summary>
    public long PadTokenId => Tokenizer?.PadTokenId ?? Tokenizer?.EosTokenId ?? Config.EosTokenId ?? 0;

    /// <summary>Each real token of every row of <paramref name="batch"/> as its own string (pads left out).</summary>
    public string[][] ToStrTokens(TokenBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Enumerable.Range(0, batch.Count).Select(r => RequireTokenizer().ToStrTokens(batch.Ids(r))).ToArray();
    }

    /// <summary>Each token of <paramref name="text"/> as its own string (<c>["&lt;|endoftext|&gt;", "In", " the"]</c>).</summary>
    public string[] ToStrTokens(string text, bool prependBos = true) =>
        RequireTokenizer().ToStrTokens(RequireTokenizer().Encode(text, prependBos));

    /// <summary>Each token of a <c>[pos]</c> or <c>[1, pos]</c> tensor as its own string.</summary>
    public string[] ToStrTokens(Tensor tokens) => RequireTokenizer().ToStrTokens(Ids(tokens));

    /// <summary>The text of <c>[pos]</c> or <c>[1, pos]</c> tokens.</summary>
    public string ToText(Tensor tokens) => RequireTokenizer().Decode(Ids(tokens));

    /// <summary>The id of a string that is exactly one token (e.g. <c>" Isaac"</c>).</summary>
    public int ToSingleToken(string text) => RequireTokenizer().SingleTokenId(text);

    ModelTokenizer RequireTokenizer() => Tokenizer ?? throw new InvalidOperationException(
        $"This model has no tokenizer, so text methods cannot run: {(TokenizerProblem ?? "none was loaded").TrimEnd('.')}. " +
        "Pass token ids to Forward instead, or put the tokenizer files next to the weights.");

    static int[] Ids(Tensor tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.dim() == 2 && tokens.shape[0] == 1) tokens = tokens[0];
        if (tokens.dim() != 1)
            throw new ArgumentException($"Expected tokens [pos] or [1, pos], got [{string.Join(", ", tokens.shape)}]; convert one row at a time.", nameof(tokens));
        using var cpuTokens = tokens.to(ScalarType.Int64).cpu();
        return cpuTokens.data<long>().Select(v => (int)v).ToArray();
    }
}
