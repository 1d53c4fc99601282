using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// How a patching sweep runs. By default patched copies of the corrupted run are stacked along the batch
/// dimension, as many per forward pass as fit <see cref="MemoryBudgetBytes"/>.
/// </summary>
public sealed record PatchingOptions
{
    /// <summary>Default memory budget for the activations of one batched forward pass: 1 GiB.</summary>
    public const long DefaultMemoryBudgetBytes = 1L << 30;

    /// <summary>Activation memory one batched forward pass may use; sets the chunk size unless <see cref="ChunkSize"/> is given.</summary>
    public long MemoryBudgetBytes { get; init; } = DefaultMemoryBudgetBytes;

    /// <summary>Patches per forward pass; <c>null</c> picks it from <see cref="MemoryBudgetBytes"/>, 1 runs one forward per patch.</summary>
    public int? ChunkSize { get; init; }

    /// <summary>
    /// Whether a patch whose clean and corrupted activations are identical (e.g. positions before the first token
    /// that differs) is answered with the corrupted run's metric instead of a forward pass. The result is the same.
    /// </summary>
    public bool SkipUnchangedPatches { get; init; } = true;

    /// <summary>
    /// Whether a patched run starts at the block the patch is in, from the cached corrupted residual stream,
    /// instead of recomputing the unchanged blocks before it. The result is the same.
    /// </summary>
    public bool ReusePrefix { get; init; } = true;

    /// <summary>
    /// Whether patched runs unembed only the last position, and the metric sees logits <c>[batch, 1, d_vocab]</c>.
    /// <c>null</c> (the default) does so exactly when the metric is known to read nothing else (the
    /// <see cref="Metrics"/> logit differences at the last position and their normalised forms); <c>true</c> asserts
    /// it for a metric of your own. The result is the same; for small models the unembedding is most of the work.
    /// </summary>
    public bool? LastPositionLogitsOnly { get; init; }

    /// <summary>
    /// The attention mask (<c>[batch, pos]</c>, 1 = real token) of padded clean and corrupted prompts: it must be the
    /// same for both (pad them alike, e.g. left-padded <see cref="TokenBatch"/>es whose rows have equal lengths).
    /// Pads then get no attention and positions count real tokens, so each row patches as it would alone.
    /// </summary>
    public Tensor? AttentionMask { get; init; }

    /// <summary>Name of the metric, shown on <see cref="PatchingResult"/> heatmaps.</summary>
    public string MetricName { get; init; } = "metric";

    /// <summary>One full forward pass per patch and nothing skipped: the TransformerLens way, for comparison.</summary>
    public static PatchingOptions OneForwardPerPatch => new() { ChunkSize = 1, SkipUnchangedPatches = false, ReusePrefix = false, LastPositionLogitsOnly = false };

    internal void Validate()
    {
        if (MemoryBudgetBytes <= 0)
            throw new ArgumentException($"MemoryBudgetBytes must be positive, but is {MemoryBudgetBytes}.", nameof(MemoryBudgetBytes));
        if (ChunkSize is < 1)
            throw new ArgumentException($"ChunkSize must be at least 1 (or null to choose from the memory budget), but is {ChunkSize}.", nameof(ChunkSize));
    }
}
