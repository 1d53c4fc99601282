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

    /// <summary>Token ids of several texts, right-padded to the longest with the pad (else EOS) token: <c>[batch, pos]</c>.</summary>
    public Tensor ToTokens(IReadOnlyList<string> texts, bool prependBos = true)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) throw new ArgumentException("Give at least one text.", nameof(texts));
        var tok = RequireTokenizer();
        var ids = texts.Select(t => tok.Encode(t, prependBos)).ToArray();
        int len = ids.Max(i => i.Length);
        if (len > Config.NCtx)
            throw new ArgumentException($"The longest text has {len} tokens, longer than the model's context of {Config.NCtx} tokens (n_ctx).", nameof(texts));
        long pad = tok.PadTokenId ?? tok.EosTokenId ?? 0;
        var flat = new long[ids.Length * len];
        for (int b = 0; b < ids.Length; b++)
            for (int p = 0; p < len; p++)
                flat[b * len + p] = p < ids[b].Length ? ids[b][p] : pad;
        using var batch = tensor(flat, [ids.Length, len], ScalarType.Int64);
        return batch.to(Device, copy: true);
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
