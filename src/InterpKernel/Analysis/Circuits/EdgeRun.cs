using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>What one <see cref="EdgeForward"/> pass does besides the plain forward.</summary>
internal sealed class EdgeRun
{
    /// <summary>Replaces the <c>input</c> node's output <c>[batch, pos, d_model]</c> (integrated gradients).</summary>
    public Tensor? InputOverride { get; init; }

    /// <summary>Sender outputs to patch from, <c>[batch, pos, senders, d_model]</c> (or broadcastable over batch and pos).</summary>
    public Tensor? Reference { get; init; }

    /// <summary>
    /// Which edges read the reference, <c>[variants, senders, receivers]</c> (1 patched, 0 not); the batch is run once
    /// per variant, variant-major.
    /// </summary>
    public Tensor? Mask { get; init; }

    /// <summary>Receivers whose input gets a zero leaf whose gradient is the metric's gradient there; null for none.</summary>
    public Func<int, bool>? TrackReceiver { get; init; }

    /// <summary>The only positions whose logits are computed (the rest stay zero); null for all.</summary>
    public (long Start, long Count)? LogitWindow { get; init; }

    /// <summary>When set, filled with every sender output <c>[batch, pos, d_model]</c> in sender order.</summary>
    public List<Tensor>? Outputs { get; init; }

    /// <summary>Filled with the leaves of tracked receivers: first receiver index → <c>[batch, pos, count, d_model]</c>.</summary>
    public Dictionary<int, Tensor> Leaves { get; } = new();
}
