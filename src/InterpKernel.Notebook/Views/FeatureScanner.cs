using InterpKernel.Analysis;
using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// Streams a token source through the model, reads one scalar feature per token at one hook, and keeps every value
/// (up to a cap, for the histogram) and the strongest tokens with the feature's value on each token of their window,
/// so the dashboard can colour whole contexts rather than the peak token alone.
/// </summary>
internal static class FeatureScanner
{
    /// <param name="model">The model.</param>
    /// <param name="hookName">The hook whose activation the feature is read from.</param>
    /// <param name="select">Activation <c>[batch, pos, ...]</c> to feature values <c>[batch, pos]</c>.</param>
    /// <param name="source">The tokens.</param>
    /// <param name="topExamples">Examples kept.</param>
    /// <param name="window">Tokens of context each side of an example's peak.</param>
    /// <param name="maxTokens">Tokens read at most.</param>
    /// <param name="batchSize">Chunks per forward pass.</param>
    public static (float[] Values, FeatureExample[] Examples) Run(HookedTransformer model, string hookName, Func<Tensor, Tensor> select,
        TokenSource source, int topExamples, int window, long maxTokens, int batchSize)
    {
        model.GetHookPoint(hookName); // an unknown hook fails here, naming the nearest ones
        int? stopAt = HookNames.LayerOf(hookName) is { } layer ? layer + 1 : null;
        var values = new List<float>();
        var kept = new List<Candidate>(topExamples + 1);
        long seen = 0, chunkIndex = 0;
        foreach (var batch in source.Chunk(batchSize))
        {
            int width = batch.Max(c => c.Ids.Length);
            var flat = new long[batch.Length * width];
            for (int r = 0; r < batch.Length; r++)
                for (int p = 0; p < batch[r].Ids.Length; p++) flat[r * width + p] = batch[r].Ids[p];
            float[] acts = [];
            HookFunction read = (activation, _) =>
            {
                using var scope = torch.NewDisposeScope();
                acts = select(activation).to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray(); // [batch * pos]
                return null;
            };
            using (var scope = torch.NewDisposeScope())
            using (no_grad())
            using (model.Hooks((hookName, read)))
            {
                // Padding sits after each chunk's tokens, so causal attention keeps it from changing their values.
                model.Forward(torch.tensor(flat, [batch.Length, width]).to(model.Device), null, stopAt);
            }
            if (acts.Length != flat.Length)
            {
                throw new ArgumentException($"the feature read at '{hookName}' gave {acts.Length} values for a batch of {batch.Length} × {width} tokens: it must give one value per token.", nameof(select));
            }
            for (int r = 0; r < batch.Length && seen < maxTokens; r++, chunkIndex++)
            {
                var chunk = batch[r];
                int first = chunk.StartsWithBos ? 1 : 0;
                for (int p = first; p < chunk.Ids.Length && seen < maxTokens; p++, seen++)
                {
                    float v = acts[r * width + p];
                    values.Add(v);
                    if (float.IsNaN(v) || (kept.Count == topExamples && v <= kept[^1].Value)) continue;
                    // Windows that overlap would show the same context twice, marked at the same peak: keep the stronger.
                    bool Overlaps(Candidate c) => c.Chunk == chunkIndex && Math.Abs(c.Position - p) <= window;
                    if (kept.Any(c => Overlaps(c) && c.Value >= v)) continue;
                    kept.RemoveAll(Overlaps);
                    int from = Math.Max(first, p - window), to = Math.Min(chunk.Ids.Length, p + window + 1);
                    var candidate = new Candidate(v, chunkIndex, p, chunk.Ids[from..to], acts.AsSpan(r * width + from, to - from).ToArray());
                    int at = kept.FindIndex(c => c.Value < v);
                    kept.Insert(at < 0 ? kept.Count : at, candidate);
                    if (kept.Count > topExamples) kept.RemoveAt(kept.Count - 1);
                }
            }
            if (seen >= maxTokens) break;
        }
        if (values.Count == 0) throw new ArgumentException($"{source.Description} holds no tokens to read the feature on.", nameof(source));
        var examples = kept.Select(c => new FeatureExample(Tokens(model, c.Ids), c.Acts)).ToArray();
        return ([.. values], examples);
    }

    public static string[] Tokens(HookedTransformer model, IReadOnlyList<int> ids) =>
        model.Tokenizer is { } tokenizer ? tokenizer.ToStrTokens(ids) : ids.Select(i => $"#{i}").ToArray();

    /// <summary>A kept example: its value, where it is (chunk and position), and its window's ids and values.</summary>
    private sealed record Candidate(float Value, long Chunk, int Position, int[] Ids, float[] Acts);
}
