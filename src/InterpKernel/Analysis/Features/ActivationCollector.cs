using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Gathers the activations of one or more hooks over a labelled prompt set at chosen token positions, in padded
/// batches bounded by <see cref="CollectionOptions.MaxTokensPerBatch"/>, moving each batch's rows to the CPU as it goes.
/// </summary>
/// <example>
/// <code>
/// using var data = ActivationCollector.Collect(model, "blocks.1.hook_resid_post",
///     ["And God said", "And Moses said"], [1f, 0f], TokenPositions.Last);
/// Console.WriteLine(data.Activations.shape); // [2, 128]
/// </code>
/// </example>
public static class ActivationCollector
{
    /// <summary>Activations of one hook at <paramref name="positions"/> of each prompt, each row labelled with its prompt's label.</summary>
    public static LabelledActivations Collect(HookedTransformer model, string hookName, IReadOnlyList<string> prompts,
        IReadOnlyList<float> labels, TokenPositions? positions = null, CollectionOptions? options = null) =>
        Collect(model, [hookName], prompts, labels, positions, options);

    /// <summary>Activations of several hooks (e.g. every layer's <c>hook_resid_post</c>) from the same forward passes.</summary>
    public static LabelledActivations Collect(HookedTransformer model, IReadOnlyList<string> hookNames, IReadOnlyList<string> prompts,
        IReadOnlyList<float> labels, TokenPositions? positions = null, CollectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(labels);
        if (prompts.Count != labels.Count)
            throw new ArgumentException($"There are {prompts.Count} prompts but {labels.Count} labels: give one label per prompt.", nameof(labels));
        var opts = (options ?? new CollectionOptions()).Validate();
        var tokenizer = model.Tokenizer ?? throw new InvalidOperationException(
            "This model has no tokenizer, so text prompts cannot be collected: pass token sequences instead.");
        var where = positions ?? TokenPositions.Last;
        var sequences = prompts.Select(p => (IReadOnlyList<int>)tokenizer.Encode(p ?? throw new ArgumentException("A prompt is null.", nameof(prompts)), opts.PrependBos)).ToList();
        return Collect(model, hookNames, sequences, (i, tokens) =>
        {
            var chosen = where.Select(tokens);
            return chosen.Select(p => (p, (float?)labels[i]));
        }, opts);
    }

    /// <summary>
    /// Activations of the real tokens of a padded batch, one label per row; <paramref name="positions"/> count within
    /// each row's real tokens, so pads are never collected.
    /// </summary>
    /// <example><code>var acts = ActivationCollector.Collect(model, ["blocks.1.hook_resid_post"], model.ToTokens(prompts), labels);</code></example>
    public static LabelledActivations Collect(HookedTransformer model, IReadOnlyList<string> hookNames, TokenBatch batch,
        IReadOnlyList<float> labels, TokenPositions? positions = null, CollectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(labels);
        if (batch.Count != labels.Count)
            throw new ArgumentException($"The batch has {batch.Count} rows but there are {labels.Count} labels: give one label per row.", nameof(labels));
        var where = positions ?? TokenPositions.Last;
        var sequences = Enumerable.Range(0, batch.Count).Select(r => (IReadOnlyList<int>)batch.Ids(r)).ToList();
        return Collect(model, hookNames, sequences, (i, tokens) => where.Select(tokens).Select(p => (p, (float?)labels[i])),
            (options ?? new CollectionOptions()).Validate());
    }

    /// <summary>
    /// Activations for token sequences with a label per position: <paramref name="labelAt"/> gets the sequence index and
    /// position and returns the label, or <c>null</c> to leave that position out.
    /// </summary>
    public static LabelledActivations Collect(HookedTransformer model, IReadOnlyList<string> hookNames, IReadOnlyList<IReadOnlyList<int>> tokenSequences,
        Func<int, int, float?> labelAt, CollectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(labelAt);
        return Collect(model, hookNames, tokenSequences,
            (i, tokens) => Enumerable.Range(0, tokens.Count).Select(p => (p, labelAt(i, p))), (options ?? new CollectionOptions()).Validate());
    }

    static LabelledActivations Collect(HookedTransformer model, IReadOnlyList<string> hookNames, IReadOnlyList<IReadOnlyList<int>> sequences,
        Func<int, IReadOnlyList<string>, IEnumerable<(int Position, float? Label)>> select, CollectionOptions opts)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(hookNames);
        ArgumentNullException.ThrowIfNull(sequences);
        if (hookNames.Count == 0) throw new ArgumentException("Name at least one hook to collect.", nameof(hookNames));
        if (sequences.Count == 0) throw new ArgumentException("Give at least one prompt.", nameof(sequences));
        foreach (var h in hookNames) model.GetHookPoint(h); // unknown names fail before any work
        if (hookNames.Distinct(StringComparer.Ordinal).Count() != hookNames.Count)
            throw new ArgumentException("A hook is named twice; name each hook once.", nameof(hookNames));

        // Which rows each sequence contributes.
        var picks = new List<(int Position, float Label)>[sequences.Count];
        var sources = new List<ActivationSource>();
        var labelValues = new List<float>();
        for (int i = 0; i < sequences.Count; i++)
        {
            var seq = sequences[i] ?? throw new ArgumentException($"Token sequence {i} is null.", nameof(sequences));
            if (seq.Count == 0) throw new ArgumentException($"Prompt {i} has no tokens.", nameof(sequences));
            if (seq.Count > model.Config.NCtx)
                throw new ArgumentException($"Prompt {i} has {seq.Count} tokens, more than the model's context of {model.Config.NCtx}: shorten it.", nameof(sequences));
            var str = model.Tokenizer?.ToStrTokens(seq) ?? seq.Select(t => t.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            picks[i] = select(i, str).Where(x => x.Label is not null).Select(x => (x.Position, x.Label!.Value)).ToList();
            foreach (var (p, label) in picks[i])
            {
                sources.Add(new ActivationSource(i, p, str[p]));
                labelValues.Add(label);
            }
        }
        if (sources.Count == 0)
            throw new ArgumentException("No token position was selected in any prompt: check the positions (e.g. the string to match).", nameof(sequences));

        var chunks = hookNames.ToDictionary(h => h, _ => new List<Tensor>(), StringComparer.Ordinal);
        try
        {
            foreach (var batch in Batches(sequences, opts.MaxTokensPerBatch))
                RunBatch(model, hookNames, sequences, picks, batch, chunks);
            var byHook = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var h in hookNames)
            {
                var rows = cat(chunks[h], 0);
                byHook[h] = rows.DetachFromDisposeScope();
            }
            var labels = tensor(labelValues.ToArray()).DetachFromDisposeScope();
            return new LabelledActivations(hookNames.ToArray(), byHook, labels, sources);
        }
        finally
        {
            foreach (var list in chunks.Values) foreach (var t in list) t.Dispose();
        }
    }

    static IEnumerable<int[]> Batches(IReadOnlyList<IReadOnlyList<int>> sequences, int maxTokens)
    {
        var current = new List<int>();
        int longest = 0;
        for (int i = 0; i < sequences.Count; i++)
        {
            int len = Math.Max(longest, sequences[i].Count);
            if (current.Count > 0 && (current.Count + 1) * len > maxTokens)
            {
                yield return current.ToArray();
                current.Clear();
                len = sequences[i].Count;
            }
            current.Add(i);
            longest = len;
        }
        if (current.Count > 0) yield return current.ToArray();
    }

    static void RunBatch(HookedTransformer model, IReadOnlyList<string> hookNames, IReadOnlyList<IReadOnlyList<int>> sequences,
        List<(int Position, float Label)>[] picks, int[] batch, Dictionary<string, List<Tensor>> chunks)
    {
        var rowsB = new List<long>();
        var rowsP = new List<long>();
        for (int b = 0; b < batch.Length; b++)
            foreach (var (p, _) in picks[batch[b]]) { rowsB.Add(b); rowsP.Add(p); }
        if (rowsB.Count == 0) return;

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        int len = batch.Max(i => sequences[i].Count);
        // Right padding: a causal model never lets a real token see the padding after it.
        var flat = new long[batch.Length * len];
        for (int b = 0; b < batch.Length; b++)
            for (int p = 0; p < sequences[batch[b]].Count; p++) flat[b * len + p] = sequences[batch[b]][p];
        var tokens = tensor(flat, [batch.Length, len], ScalarType.Int64);
        var bIdx = tensor(rowsB.ToArray(), ScalarType.Int64, model.Device);
        var pIdx = tensor(rowsP.ToArray(), ScalarType.Int64, model.Device);

        var names = hookNames.ToArray();
        using var store = ActivationCapture.Capture(model, tokens, names, (i, act) =>
        {
            if (act.dim() < 3 || act.shape[0] != batch.Length || act.shape[1] != len)
                throw new ArgumentException(
                    $"'{names[i]}' has shape [{string.Join(", ", act.shape)}], not [batch, pos, ...]: collect a hook whose second axis is the token position.",
                    nameof(hookNames));
            return act[bIdx, pIdx].reshape(rowsB.Count, -1).cpu();
        }, ScalarType.Float32);
        foreach (var name in names) chunks[name].Add(store.Take(name));
    }
}
