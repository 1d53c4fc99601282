using static TorchSharp.torch;

namespace InterpKernel;

public sealed partial class HookedTransformer
{
    // Runs the generation loop on prepared tokens [batch, pos] (left-padded when realMask, bool [batch, pos], is
    // given); returns the sequence with the new tokens appended, and the key mask. Tensors live in the caller's scope.
    (Tensor Sequence, Tensor? RealMask) GenerateCore(Tensor sequence, Tensor? realMask, GenerationOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o.MaxNewTokens < 0) throw new ArgumentOutOfRangeException(nameof(o), o.MaxNewTokens, "MaxNewTokens must be 0 or more.");
        if (o.Temperature < 0 || float.IsNaN(o.Temperature))
            throw new ArgumentOutOfRangeException(nameof(o), o.Temperature, "Temperature must be 0 (greedy) or positive.");
        if (o.TopK is { } k && k < 1) throw new ArgumentOutOfRangeException(nameof(o), k, "TopK must be 1 or more (or null for all tokens).");
        if (o.TopP is { } p && !(p > 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(o), p, "TopP must lie in (0, 1] (or null for all tokens).");
        var stops = StopSet(o);
        if (sequence.shape[1] + o.MaxNewTokens > Config.NCtx)
            throw new ArgumentException(
                $"{sequence.shape[1]} prompt tokens plus {o.MaxNewTokens} new ones exceed the model's context of {Config.NCtx} tokens (n_ctx).", nameof(o));
        using var _ = no_grad();
        // TorchSharp makes generators on the CPU only, so every draw happens there: one seed, the same tokens on any device.
        using var generator = o.Seed is { } s ? new Generator((ulong)s) : null;
        using var kv = o.UseKeyValueCache ? new KeyValueCache(Config.NLayers) : null;
        long batch = sequence.shape[0];
        var stopIds = stops.Count == 0 ? null : tensor(stops.Select(i => (long)i).ToArray(), ScalarType.Int64).to(Device);
        Tensor? counts = null; // [batch, d_vocab]: how often each token occurs in the row so far
        if (o.FrequencyPenalty != 0)
        {
            var weight = realMask?.to(ScalarType.Float32) ?? ones(sequence.shape, ScalarType.Float32, Device);
            counts = zeros(batch, Config.DVocab, ScalarType.Float32, Device).scatter_add_(1, sequence, weight);
        }
        var finished = zeros(batch, ScalarType.Bool, Device);
        var last = zeros(batch, ScalarType.Int64, Device); // the token that stopped each row
        var next = sequence;
        var stepMask = realMask;
        for (int step = 0; step < o.MaxNewTokens; step++)
        {
            using var stepScope = NewDisposeScope();
            var logits = kv is null
                ? ForwardCore(sequence, null, null, null, realMask)
                : ForwardCore(next, kv, null, null, stepMask);
            var chosen = Sample(logits.select(1, -1), o, counts, generator); // [batch]
            chosen = where(finished, last, chosen);
            next = chosen.unsqueeze(1);
            sequence = cat([sequence, next], 1);
            if (realMask is not null) realMask = cat([realMask, ones(batch, 1, ScalarType.Bool, Device)], 1);
            stepMask = null; // after the first step the cache remembers the pads
            counts?.scatter_add_(1, next, ones(batch, 1, ScalarType.Float32, Device));
            if (o.OnTokens is { } report)
            {
                using var cpu = chosen.cpu();
                using var done = finished.cpu();
                var ids = cpu.data<long>().ToArray();
                var wasDone = done.data<bool>().ToArray();
                report(ids.Select((id, r) => wasDone[r] ? -1 : (int)id).ToArray());
            }
            if (stopIds is not null)
            {
                var stopped = isin(chosen, stopIds).logical_and(finished.logical_not());
                last = where(stopped, chosen, last);
                finished = finished.logical_or(stopped);
                stepScope.MoveToOuter(finished, last);
            }
            stepScope.MoveToOuter(sequence, next);
            if (realMask is not null) stepScope.MoveToOuter(realMask);
            if (stopIds is not null && finished.all().item<bool>()) break;
        }
        return (sequence, realMask);
    }

    static Tensor Sample(Tensor logits, GenerationOptions o, Tensor? counts, Generator? generator) // [batch, d_vocab] -> [batch]
    {
        var l = logits.to(ScalarType.Float32);
        if (counts is not null) l = l - o.FrequencyPenalty * counts;
        if (o.Temperature == 0f) return l.argmax(-1);
        l = l / o.Temperature;
        if (o.TopK is { } k && k < l.shape[^1])
        {
            var kth = l.topk(k, -1).values.narrow(-1, k - 1, 1); // [batch, 1]
            l = l.masked_fill(l.lt(kth), double.NegativeInfinity);
        }
        if (o.TopP is { } p && p < 1)
        {
            var (sorted, order) = l.sort(-1, descending: true);
            var probs = sorted.softmax(-1);
            // Drop a token once the tokens before it already reach p; the most likely one always stays.
            var drop = probs.cumsum(-1).sub(probs).gt(p);
            var dropped = zeros_like(drop).scatter(-1, order, drop);
            l = l.masked_fill(dropped, double.NegativeInfinity);
        }
        return DrawOnCpu(l.softmax(-1), generator);
    }

    // Draws one token per row from probs [batch, d_vocab] with a CPU generator, whatever device probs live on;
    // returns [batch] on probs' device.
    internal static Tensor DrawOnCpu(Tensor probs, Generator? generator)
    {
        using var cpu = probs.cpu();
        using var drawn = multinomial(cpu, 1, generator: generator);
        return drawn.squeeze(-1).to(probs.device);
    }
}
