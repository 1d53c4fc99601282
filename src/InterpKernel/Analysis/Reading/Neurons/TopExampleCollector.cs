namespace InterpKernel.Analysis;

/// <summary>
/// Keeps the <c>k</c> largest activations seen in a stream in a bounded min-heap, each with the token ids of its
/// context window copied at the time, so whole documents are never retained.
/// </summary>
public sealed partial class TopExampleCollector
{
    readonly PriorityQueue<CollectedExample, (float Activation, long Order)> _heap = new();
    readonly int _k, _window;
    long _order;

    /// <summary>Keeps <paramref name="k"/> examples with <paramref name="window"/> tokens of context on each side.</summary>
    public TopExampleCollector(int k = 20, int window = 10)
    {
        if (k < 1) throw new ArgumentException($"k must be at least 1, got {k}.", nameof(k));
        if (window < 0) throw new ArgumentException($"window must be non-negative, got {window}.", nameof(window));
        _k = k;
        _window = window;
    }

    /// <summary>How many examples are held (at most k).</summary>
    public int Count => _heap.Count;

    /// <summary>The smallest activation an example must beat to enter, or −∞ while fewer than k are held.</summary>
    public float Threshold => _heap.Count < _k ? float.NegativeInfinity : _heap.Peek().Activation;

    /// <summary>Offers the activation at <paramref name="position"/> of <paramref name="chunk"/>.</summary>
    public void Offer(float activation, TokenChunk chunk, int position) => Offer(activation, chunk, position, default);

    /// <summary>
    /// Offers the activation at <paramref name="position"/> of <paramref name="chunk"/>, with the activation at every
    /// position of the chunk (<paramref name="chunkActivations"/>, indexed by position), so a kept example also keeps its
    /// context's activations (<see cref="ActivatingExample.ContextActivations"/>).
    /// </summary>
    public void Offer(float activation, TokenChunk chunk, int position, ReadOnlySpan<float> chunkActivations)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        long order = _order++;
        if (float.IsNaN(activation) || activation <= Threshold) return; // on ties the earlier example stays
        int first = chunk.StartsWithBos ? 1 : 0;
        int from = Math.Max(first, position - _window);
        int to = Math.Min(chunk.Ids.Length, position + _window + 1);
        float[]? acts = chunkActivations.Length >= to ? chunkActivations[from..to].ToArray() : null;
        Enqueue(new CollectedExample(activation, chunk.Document, position, chunk.Lines?[position], chunk.Ids[from..to], position - from, order, chunk.Source, acts));
    }

    /// <summary>The examples held, largest first, with their context decoded by <paramref name="model"/>'s tokenizer.</summary>
    public IReadOnlyList<ActivatingExample> Results(HookedTransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Results(ids => TokenText.Of(model, ids));
    }

    /// <summary>The examples held, largest first, with their context decoded by <paramref name="decode"/>.</summary>
    public IReadOnlyList<ActivatingExample> Results(Func<int[], string[]> decode)
    {
        ArgumentNullException.ThrowIfNull(decode);
        return Held()
            .Select(e => new ActivatingExample(e.Activation, e.Document, e.Position, e.Line, e.Context, e.Marked, decode(e.Context), e.Source)
            {
                ContextActivations = e.ContextActivations,
            })
            .ToList();
    }

    // Later examples sort as smaller on equal activations, so they leave first.
    void Enqueue(CollectedExample entry)
    {
        _heap.Enqueue(entry, (entry.Activation, -entry.Order));
        if (_heap.Count > _k) _heap.Dequeue();
    }

    IEnumerable<CollectedExample> Held() => _heap.UnorderedItems
        .OrderByDescending(e => e.Priority.Activation).ThenByDescending(e => e.Priority.Order)
        .Select(e => e.Element);
}
