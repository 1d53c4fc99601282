using static TorchSharp.torch;

namespace InterpKernel;

public sealed partial class HookedTransformer
{
    /// <summary>
    /// Continues <paramref name="tokens"/> <c>[batch, pos]</c> by up to <paramref name="maxNewTokens"/> tokens and
    /// returns the prompt followed by them. Temperature 0 is greedy; otherwise tokens are sampled (reproducibly with
    /// <paramref name="seed"/>). A key/value cache makes each new token cost one position; hooks attached with
    /// <see cref="Hooks(ValueTuple{string, HookFunction}[])"/> fire at every step.
    /// </summary>
    /// <example><code>using var output = model.Generate(model.ToTokens("And God said"), 8);</code></example>
    public Tensor Generate(Tensor tokens, int maxNewTokens, float temperature = 0f, int? seed = null) =>
        Generate(tokens, maxNewTokens, temperature, seed, stopAtEos: false, useKeyValueCache: true);

    /// <summary>
    /// Like <see cref="Generate(Tensor, int, float, int?)"/>, optionally stopping once every row has produced the EOS
    /// token (<paramref name="stopAtEos"/>) and optionally re-running the whole sequence per token
    /// (<paramref name="useKeyValueCache"/> false, for comparison).
    /// </summary>
    public Tensor Generate(Tensor tokens, int maxNewTokens, float temperature, int? seed, bool stopAtEos, bool useKeyValueCache = true)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (maxNewTokens < 0) throw new ArgumentOutOfRangeException(nameof(maxNewTokens), maxNewTokens, "maxNewTokens must be 0 or more.");
        if (temperature < 0 || float.IsNaN(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be 0 (greedy) or positive.");
        int? eos = Config.EosTokenId ?? Tokenizer?.EosTokenId;
        if (stopAtEos && eos is null)
            throw new InvalidOperationException("stopAtEos was asked for, but neither the config nor the tokenizer names an EOS token.");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var sequence = PrepareTokens(tokens, 0);
        if (sequence.shape[1] + maxNewTokens > Config.NCtx)
            throw new ArgumentException(
                $"{sequence.shape[1]} prompt tokens plus {maxNewTokens} new ones exceed the model's context of {Config.NCtx} tokens (n_ctx).", nameof(maxNewTokens));
        using var generator = seed is { } s ? new Generator((ulong)s, Device) : null;
        using var kv = useKeyValueCache ? new KeyValueCache(Config.NLayers) : null;
        var finished = zeros(sequence.shape[0], ScalarType.Bool, Device);
        var next = sequence;
        for (int step = 0; step < maxNewTokens; step++)
        {
            using var stepScope = NewDisposeScope();
            var logits = kv is null ? Forward(sequence) : Forward(next, kv);
            var last = logits.select(1, -1); // [batch, d_vocab]
            var chosen = Sample(last, temperature, generator); // [batch]
            if (stopAtEos) chosen = where(finished, full_like(chosen, eos!.Value), chosen);
            next = chosen.unsqueeze(1);
            sequence = cat([sequence, next], 1);
            if (stopAtEos)
            {
                finished = finished.logical_or(chosen.eq(eos!.Value));
                stepScope.MoveToOuter(finished);
            }
            stepScope.MoveToOuter(sequence);
            stepScope.MoveToOuter(next);
            if (stopAtEos && finished.all().item<bool>()) break;
        }
        return sequence.MoveToOuterDisposeScope();
    }

    /// <summary>Generates text after <paramref name="prompt"/> and returns the prompt followed by the continuation.</summary>
    /// <example><code>Console.WriteLine(model.Generate("And God said", maxNewTokens: 10));</code></example>
    public string Generate(string prompt, int maxNewTokens, float temperature = 0f, int? seed = null)
    {
        using var tokens = ToTokens(prompt);
        using var output = Generate(tokens, maxNewTokens, temperature, seed);
        // The BOS the tokenizer prepended is not part of the user's text.
        var ids = output[0];
        int skip = Tokenizer?.BosTokenId is not null ? 1 : 0;
        using var rest = ids.narrow(0, skip, ids.shape[0] - skip);
        return ToText(rest);
    }

    static Tensor Sample(Tensor logits, float temperature, Generator? generator)
    {
        if (temperature == 0f) return logits.argmax(-1);
        var probs = (logits.to(ScalarType.Float32) / temperature).softmax(-1);
        return multinomial(probs, 1, generator: generator).squeeze(-1);
    }
}
