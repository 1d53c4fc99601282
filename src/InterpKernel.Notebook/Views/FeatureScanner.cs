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
        var heap = new PriorityQueue<(int[] Ids, float[] Acts, int Marked), float>();
        long seen = 0;
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
            for (int r = 0; r < batch.Length && seen < maxTokens; r++)
            {
                var chunk = batch[r];
                int first = chunk.StartsWithBos ? 1 : 0;
                for (int p = first; p < chunk.Ids.Length && seen < maxTokens; p++, seen++)
                {
                    float v = acts[r * width + p];
                    values.Add(v);
                    if (float.IsNaN(v) || (heap.Count == topExamples && v <= heap.Peek().Acts[heap.Peek().Marked])) continue;
                    int from = Math.Max(first, p - window), to = Math.Min(chunk.Ids.Length, p + window + 1);
                    heap.Enqueue((chunk.Ids[from..to], acts.AsSpan(r * width + from, to - from).ToArray(), p - from), v);
                    if (heap.Count > topExamples) heap.Dequeue();
                }
            }
            if (seen >= maxTokens) break;
        }
        if (values.Count == 0) throw new ArgumentException($"{source.Description} holds no tokens to read the feature on.", nameof(source));
        var examples = heap.UnorderedItems.OrderByDescending(e => e.Priority)
            .Select(e => new FeatureExample(Tokens(model, e.Element.Ids), e.Element.Acts)).ToArray();
        return ([.. values], examples);
    }

    public static string[] Tokens(HookedTransformer model, IReadOnlyList<int> ids) =>
        model.Tokenizer is { } tokenizer ? tokenizer.ToStrTokens(ids) : ids.Select(i => $"#{i}").ToArray();
}
