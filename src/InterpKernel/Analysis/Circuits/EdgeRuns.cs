using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>The clean/corrupted bookkeeping shared by edge attribution, ACDC and circuit evaluation.</summary>
internal static class EdgeRuns
{
    /// <summary>Every sender's output on <paramref name="tokens"/>, <c>[batch, pos, senders, d_model]</c>, and the logits.</summary>
    public static (Tensor Outputs, Tensor Logits) Capture(HookedTransformer model, CircuitLayout layout, Tensor tokens)
    {
        using var _ = no_grad();
        var outputs = new List<Tensor>();
        var logits = EdgeForward.Run(model, layout, tokens, new EdgeRun { Outputs = outputs });
        return (stack(outputs.ToArray(), 2), logits);
    }

    /// <summary>The metric per variant: logits <c>[variants · batch, …]</c> → one batch mean per variant.</summary>
    public static double[] MetricPerVariant(Func<Tensor, Tensor> metric, Tensor logits, long batch)
    {
        int variants = (int)(logits.shape[0] / batch);
        var values = new double[variants];
        for (int v = 0; v < variants; v++)
        {
            var m = metric(logits.narrow(0, v * batch, batch));
            if (m.numel() != batch)
                throw new ArgumentException(
                    $"the metric must return one value per prompt ([{batch}]), but returned shape [{string.Join(", ", m.shape)}].", nameof(metric));
            values[v] = m.to(ScalarType.Float64).mean().item<double>();
        }
        return values;
    }

    /// <summary>The mask <c>[1, senders, receivers]</c> patching every edge for which <paramref name="patched"/> holds.</summary>
    public static Tensor Mask(CircuitGraph graph, Func<CircuitEdge, bool> patched, Device device)
    {
        var layout = graph.Layout;
        var data = new float[layout.SenderCount * layout.ReceiverCount];
        foreach (var e in graph.Edges)
            if (patched(e)) data[e.Sender * layout.ReceiverCount + e.Receiver] = 1f;
        return tensor(data, [1, layout.SenderCount, layout.ReceiverCount]).to(device);
    }

    /// <summary>Patches that fit the budget side by side: each holds about a forward's activations.</summary>
    public static int PatchesPerPass(HookedTransformer model, long batch, long pos, CircuitOptions options)
    {
        if (options.PatchesPerPass is { } n) return n;
        var c = model.Config;
        long perVariant = batch * pos * (4L * c.DModel * (c.NLayers * (c.NHeads + 2) + 1) + 2L * c.DMlp * c.NLayers + c.DVocab) * 4;
        return (int)Math.Clamp(options.MemoryBudgetBytes / Math.Max(1, perVariant), 1, 64);
    }
}
