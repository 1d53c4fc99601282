using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Automated circuit discovery over the edges of a <see cref="CircuitGraph"/>: edge attribution patching (EAP and
/// EAP-IG) estimates every edge's effect from a few forward and backward passes; ACDC removes edges one at a time by
/// real patching. Both compare a clean and a corrupted batch of prompts of equal shape under a metric that maps
/// logits <c>[batch, pos, d_vocab]</c> to one value per prompt.
/// </summary>
/// <example>
/// <code>
/// var (clean, corrupt) = InductionTask.Prompts(model, seqLen: 20, batch: 16, seed: 1);
/// var metric = InductionTask.Metric(clean, seqLen: 20);
/// var graph = CircuitDiscovery.EdgeAttribution(model, clean, corrupt, metric, EdgeAttributionMethod.EapIg);
/// Console.WriteLine(string.Join("\n", graph.Ranked().Take(5)));
/// </code>
/// </example>
public static class CircuitDiscovery
{
    /// <summary>
    /// Scores every edge with the estimated change of the mean metric when that edge alone reads the corrupted sender
    /// (noising): <c>(corrupted − clean sender output) · ∂metric/∂receiver input</c>, summed over positions and averaged
    /// over prompts. EAP takes the gradient on the clean run; EAP-IG averages it over <paramref name="steps"/> runs whose
    /// input embeddings go from the corrupted towards the clean prompt. Every edge is left in the circuit; use
    /// <see cref="CircuitGraph.Top"/> or <see cref="CircuitGraph.Threshold"/> to choose one.
    /// </summary>
    public static CircuitGraph EdgeAttribution(HookedTransformer model, Tensor clean, Tensor corrupt, Func<Tensor, Tensor> metric,
                                               EdgeAttributionMethod method = EdgeAttributionMethod.Eap, int steps = 5,
                                               CircuitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metric);
        if (steps < 1) throw new ArgumentException($"steps must be at least 1, got {steps}.", nameof(steps));
        options ??= new CircuitOptions();
        options.Validate();
        var graph = CircuitGraph.For(model);
        var layout = graph.Layout;
        using var scope = NewDisposeScope();
        var (cleanTokens, corruptTokens) = PatchRunner.CheckPair(model, clean, corrupt);
        var window = MetricWindows.For(metric, cleanTokens.shape[1]);
        long batch = cleanTokens.shape[0], pos = cleanTokens.shape[1];
        var (corruptOut, _) = EdgeRuns.Capture(model, layout, corruptTokens);
        // EAP's gradient pass runs the clean prompts, so it records the clean sender outputs too; EAP-IG needs them first.
        var cleanOut = method == EdgeAttributionMethod.Eap ? null : EdgeRuns.Capture(model, layout, cleanTokens).Outputs;
        var delta = cleanOut is null ? null : corruptOut - cleanOut; // [batch, pos, senders, d_model]

        var passes = cleanOut is null
            ? new List<Tensor?> { null }
            : Enumerable.Range(1, steps).Select(k =>
                (Tensor?)(corruptOut.select(2, 0) + (cleanOut.select(2, 0) - corruptOut.select(2, 0)) * (k / (double)steps))).ToList();
        var scores = new double[layout.SenderCount, layout.ReceiverCount];
        int perPass = options.ReceiverLayersPerPass ?? LayersFromBudget(model, batch, pos, options.MemoryBudgetBytes);
        for (int start = 0; start <= layout.Layers; start += perPass)
        {
            using var chunkScope = NewDisposeScope();
            int end = Math.Min(layout.Layers, start + perPass - 1); // the logits count as layer n_layers
            bool Track(int receiver) => layout.Receivers[receiver].Layer >= start && layout.Receivers[receiver].Layer <= end;
            var grads = new Dictionary<int, Tensor>();
            foreach (var input in passes)
            {
                using var passScope = NewDisposeScope();
                var outputs = delta is null ? new List<Tensor>() : null;
                var run = new EdgeRun { InputOverride = input, TrackReceiver = Track, LogitWindow = window, Outputs = outputs };
                using (enable_grad())
                {
                    var logits = EdgeForward.Run(model, layout, cleanTokens, run);
                    var value = metric(logits);
                    if (value.numel() != batch)
                        throw new ArgumentException(
                            $"the metric must return one value per prompt ([{batch}]), but returned shape [{string.Join(", ", value.shape)}].", nameof(metric));
                    value.to(ScalarType.Float32).sum().backward();
                }
                if (outputs is not null)
                {
                    using var noGrad = no_grad();
                    delta = corruptOut - stack(outputs.Select(o => o.detach()).ToArray(), 2);
                    scope.Attach(delta.DetachFromDisposeScope());
                }
                foreach (var (first, leaf) in run.Leaves)
                {
                    var g = (leaf.grad ?? zeros_like(leaf)).detach();
                    grads[first] = grads.TryGetValue(first, out var sum) ? (sum + g).MoveToOuterDisposeScope() : g.clone().MoveToOuterDisposeScope();
                }
            }
            foreach (var (first, grad) in grads)
            {
                int senders = layout.Receivers[first].Senders;
                var s = einsum("bpsd,bprd->sr", delta!.narrow(2, 0, senders).to(ScalarType.Float32), grad.to(ScalarType.Float32))
                    .div(batch * passes.Count).to(ScalarType.Float64).cpu();
                var data = s.data<double>().ToArray();
                long count = grad.shape[2];
                for (int si = 0; si < senders; si++)
                    for (int r = 0; r < count; r++)
                        scores[si, first + r] = data[si * count + r];
            }
        }
        foreach (var e in graph.Edges) e.Score = scores[e.Sender, e.Receiver];
        graph.UpdateNodes();
        return graph;
    }

    /// <summary>
    /// ACDC (Conmy et al.): starting from the full graph, visits the receivers from the logits backwards and tries
    /// removing each incoming edge, by patching it from the corrupted run (each receiver input recomputed from the
    /// current senders with the removed edges' senders corrupted); an edge stays out when the metric moves by less
    /// than <paramref name="threshold"/> (in the metric's units) either way, so an edge that works against the metric
    /// is found too. With <paramref name="oneSided"/> an edge also stays out when removing it raises the metric, the
    /// rule of the original ACDC (whose metric is a loss): smaller circuits that keep only what helps. Receivers of
    /// nodes that no longer feed the circuit
    /// lose their edges without a test. Each edge's <see cref="CircuitEdge.Score"/> is the metric change measured when
    /// it was tried (patched minus before).
    /// </summary>
    public static CircuitGraph Acdc(HookedTransformer model, Tensor clean, Tensor corrupt, Func<Tensor, Tensor> metric, double threshold,
                                    IProgress<AcdcProgress>? progress = null, bool oneSided = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metric);
        if (double.IsNaN(threshold) || threshold < 0)
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "the threshold is a metric drop: give a number ≥ 0.");
        var graph = CircuitGraph.For(model);
        var layout = graph.Layout;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (cleanTokens, corruptTokens) = PatchRunner.CheckPair(model, clean, corrupt);
        var window = MetricWindows.For(metric, cleanTokens.shape[1]);
        long batch = cleanTokens.shape[0];
        var (corruptOut, _) = EdgeRuns.Capture(model, layout, corruptTokens);
        var mask = new float[layout.SenderCount * layout.ReceiverCount];
        double Evaluate()
        {
            using var s = NewDisposeScope();
            var m = tensor(mask, [1, layout.SenderCount, layout.ReceiverCount]).to(model.Device);
            var logits = EdgeForward.Run(model, layout, cleanTokens, new EdgeRun { Reference = corruptOut, Mask = m, LogitWindow = window });
            return EdgeRuns.MetricPerVariant(metric, logits, batch)[0];
        }
        double current = Evaluate();
        int done = 0;
        for (int r = layout.ReceiverCount - 1; r >= 0; r--)
        {
            var rec = layout.Receivers[r];
            bool feeds = rec.Input == 'l' || layout.NodesFed(rec).Any(s => Feeds(graph, layout, s));
            for (int s = rec.Senders - 1; s >= 0; s--)
            {
                var edge = graph.At(s, r)!;
                mask[s * layout.ReceiverCount + r] = 1f;
                if (!feeds)
                {
                    edge.InCircuit = false;
                    edge.Score = 0;
                }
                else
                {
                    double patched = Evaluate();
                    edge.Score = patched - current;
                    if ((oneSided ? current - patched : Math.Abs(patched - current)) < threshold)
                    {
                        edge.InCircuit = false;
                        current = patched;
                    }
                    else mask[s * layout.ReceiverCount + r] = 0f;
                }
                progress?.Report(new AcdcProgress(++done, graph.Edges.Count, edge.Name, edge.InCircuit, current));
            }
        }
        graph.UpdateNodes();
        return graph;
    }

    static bool Feeds(CircuitGraph graph, CircuitLayout layout, int sender)
    {
        for (int r = 0; r < layout.ReceiverCount; r++)
            if (graph.At(sender, r) is { InCircuit: true }) return true;
        return false;
    }

    static int LayersFromBudget(HookedTransformer model, long batch, long pos, long budget)
    {
        var c = model.Config;
        // Per tracked layer: the leaf, its gradient and the normalised copies of every receiver input.
        long perLayer = batch * pos * (c.NHeads + 2L * c.KeyValueHeads + 1) * c.DModel * 4 * 4;
        return (int)Math.Clamp(budget / Math.Max(1, perLayer), 1, c.NLayers + 1);
    }
}
