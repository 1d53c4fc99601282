namespace InterpKernel.Analysis;

/// <summary>
/// The index arithmetic behind a <see cref="CircuitGraph"/>. Senders: <c>input</c>, then per layer its heads and its
/// MLP. Receivers: per layer the heads' query inputs, the key and value inputs (one per key/value head), the MLP,
/// then <c>logits</c>. A receiver reads the first <see cref="Receiver.Senders"/> senders.
/// </summary>
internal sealed class CircuitLayout
{
    internal readonly record struct Receiver(string Name, string Node, int Layer, char Input, int Head, int Senders);

    public CircuitLayout(int layers, int heads, int kvHeads, bool parallel)
    {
        Layers = layers;
        Heads = heads;
        KvHeads = kvHeads;
        Parallel = parallel;
        SenderNames.Add("input");
        for (int l = 0; l < layers; l++)
        {
            for (int h = 0; h < heads; h++) SenderNames.Add($"a{l}.h{h}");
            SenderNames.Add($"m{l}");
        }
        for (int l = 0; l < layers; l++)
        {
            int before = SendersBefore(l);
            for (int h = 0; h < heads; h++) Receivers.Add(new($"a{l}.h{h}<q>", $"a{l}.h{h}", l, 'q', h, before));
            for (char c = 'k'; c <= 'v'; c = c == 'k' ? 'v' : 'w')
                for (int g = 0; g < kvHeads; g++)
                {
                    string node = kvHeads == heads ? $"a{l}.h{g}" : $"a{l}.g{g}";
                    Receivers.Add(new($"{node}<{c}>", node, l, c, g, before));
                }
            Receivers.Add(new($"m{l}", $"m{l}", l, 'm', -1, parallel ? before : before + heads));
        }
        Receivers.Add(new("logits", "logits", layers, 'l', -1, SenderNames.Count));
    }

    public int Layers { get; }
    public int Heads { get; }
    public int KvHeads { get; }
    public bool Parallel { get; }
    public List<string> SenderNames { get; } = new();
    public List<Receiver> Receivers { get; } = new();

    public int SenderCount => SenderNames.Count;
    public int ReceiverCount => Receivers.Count;

    /// <summary>Senders computed before layer <paramref name="layer"/>'s attention.</summary>
    public int SendersBefore(int layer) => 1 + layer * (Heads + 1);

    /// <summary>The first receiver of layer <paramref name="layer"/>'s attention (its q, k and v inputs follow).</summary>
    public int AttentionReceivers(int layer) => layer * (Heads + 2 * KvHeads + 1);

    /// <summary>How many attention receivers a layer has.</summary>
    public int AttentionReceiverCount => Heads + 2 * KvHeads;

    /// <summary>The MLP receiver of layer <paramref name="layer"/>.</summary>
    public int MlpReceiver(int layer) => AttentionReceivers(layer) + AttentionReceiverCount;

    /// <summary>The logits receiver.</summary>
    public int LogitsReceiver => Receivers.Count - 1;

    /// <summary>The sender index of head <paramref name="head"/> of <paramref name="layer"/>.</summary>
    public int HeadSender(int layer, int head) => SendersBefore(layer) + head;

    /// <summary>The sender index of the MLP of <paramref name="layer"/>.</summary>
    public int MlpSender(int layer) => SendersBefore(layer) + Heads;

    /// <summary>
    /// The senders whose output depends on receiver <paramref name="r"/>: its own node, or for a shared key/value input
    /// every head of the group; none for <c>logits</c>.
    /// </summary>
    public IEnumerable<int> NodesFed(Receiver r)
    {
        int group = Heads / KvHeads;
        return r.Input switch
        {
            'q' => new[] { HeadSender(r.Layer, r.Head) },
            'k' or 'v' => Enumerable.Range(r.Head * group, group).Select(h => HeadSender(r.Layer, h)),
            'm' => new[] { MlpSender(r.Layer) },
            _ => Array.Empty<int>(),
        };
    }
}
