namespace InterpKernel.Analysis;

public sealed partial class TopExampleCollector
{
    /// <summary>Values offered so far (the order the next offer gets).</summary>
    public long Offered => _order;

    /// <summary>The examples held, largest first, undecoded.</summary>
    public IReadOnlyList<CollectedExample> Entries() => Held().ToList();

    /// <summary>A collector holding <paramref name="entries"/> after <paramref name="offered"/> offers (see <see cref="Entries"/>, <see cref="Offered"/>).</summary>
    public static TopExampleCollector FromEntries(int k, int window, long offered, IEnumerable<CollectedExample> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var c = new TopExampleCollector(k, window) { _order = offered };
        foreach (var e in entries)
        {
            if (e.Order >= offered)
                throw new ArgumentException($"An example has order {e.Order} but only {offered} were offered: the saved collector is damaged.", nameof(entries));
            c.Enqueue(e);
        }
        return c;
    }

    /// <summary>
    /// Adds <paramref name="other"/>'s examples as if its stream had been offered here after this one: the result
    /// holds the k largest of both, and on equal activations the example from this collector stays, as it would in
    /// one pass over both streams.
    /// </summary>
    public void Merge(TopExampleCollector other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._k != _k || other._window != _window)
            throw new ArgumentException($"Only collectors with the same k and window merge: got {other._k}/{other._window}, expected {_k}/{_window}.", nameof(other));
        foreach (var e in other.Held()) Enqueue(e with { Order = e.Order + _order });
        _order += other._order;
    }
}
