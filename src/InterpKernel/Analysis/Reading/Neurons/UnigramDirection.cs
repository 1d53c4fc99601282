using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// The unigram direction of a corpus in logit space: centred log token frequencies <c>[d_vocab]</c>. A
/// token-frequency neuron moves the logits along it, pushing the prediction towards (or away from) the unigram
/// distribution.
/// </summary>
/// <remarks>
/// Frequencies are add-one smoothed (<c>log((count + 1) / (N + d_vocab))</c>) so unseen tokens get a finite value;
/// the vector is then centred (mean 0) because a constant shift of all logits changes nothing. Counting streams the
/// source; BOS positions are not counted.
/// </remarks>
public static class UnigramDirection
{
    /// <summary>The centred log-frequency vector <c>[d_vocab]</c> (float32, CPU) of the tokens in <paramref name="source"/>.</summary>
    public static Tensor FromCorpus(HookedTransformer model, TokenSource source)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        var counts = new long[model.Config.DVocab];
        long total = 0;
        foreach (var chunk in source)
            for (int p = chunk.StartsWithBos ? 1 : 0; p < chunk.Ids.Length; p++)
            {
                counts[chunk.Ids[p]]++;
                total++;
            }
        if (total == 0) throw new ArgumentException($"{source.Description} holds no tokens to count.", nameof(source));
        return FromCounts(counts);
    }

    /// <summary>The centred, add-one smoothed log-frequency vector of token <paramref name="counts"/> <c>[d_vocab]</c>.</summary>
    public static Tensor FromCounts(IReadOnlyList<long> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count == 0) throw new ArgumentException("counts must have one entry per vocabulary token.", nameof(counts));
        double total = counts.Sum() + (double)counts.Count;
        var logFreq = counts.Select(c => Math.Log((c + 1) / total)).ToArray();
        double mean = logFreq.Average();
        return tensor(logFreq.Select(v => (float)(v - mean)).ToArray());
    }
}
