using static TorchSharp.torch;

namespace InterpKernel;

/// <summary>
/// How <see cref="HookedTransformer.FromPretrained(string, LoadOptions)"/> loads a checkpoint: where, in which dtype,
/// and which of TransformerLens's weight-processing steps to apply. The defaults are TransformerLens's
/// <c>from_pretrained</c> defaults: every step on. See docs/weight-processing.md for what each step changes.
/// </summary>
/// <example>
/// <code>
/// // Raw checkpoint weights, so hook values match Hugging Face's activations.
/// using var raw = HookedTransformer.FromPretrained("models/kjv-gpt2-2l", new LoadOptions { ProcessWeights = false });
/// </code>
/// </example>
public sealed record LoadOptions
{
    /// <summary><c>"cpu"</c>, <c>"cuda"</c> or <c>"cuda:N"</c>.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>The dtype the model runs in; <c>null</c> means float32.</summary>
    public ScalarType? Dtype { get; init; }

    /// <summary>
    /// Whether to process the weights at all (TransformerLens's <c>from_pretrained</c> does). When <c>false</c>, the
    /// model holds the checkpoint's weights unchanged and the step flags below are ignored.
    /// </summary>
    public bool ProcessWeights { get; init; } = true;

    /// <summary>
    /// Fold each norm's learned scale (and bias) into the linear maps that read its output; the norms become
    /// <see cref="NormalizationType.LayerNormPre"/> or <see cref="NormalizationType.RmsNormPre"/>.
    /// </summary>
    public bool FoldLayerNorm { get; init; } = true;

    /// <summary>
    /// Subtract the mean over <c>d_model</c> from every weight and bias that writes to the residual stream
    /// (LayerNorm models only: RMSNorm does not remove the mean, so centering would change its outputs).
    /// </summary>
    public bool CenterWritingWeights { get; init; } = true;

    /// <summary>Subtract the mean over <c>d_vocab</c> from <c>W_U</c> and <c>b_U</c> (logits shift by a constant per position).</summary>
    public bool CenterUnembed { get; init; } = true;

    /// <summary>Move the value biases <c>b_V</c> into the attention output bias <c>b_O</c>.</summary>
    public bool FoldValueBiases { get; init; } = true;

    /// <summary>
    /// Map the checkpoint files into memory (privately, copy-on-write) instead of reading them. Loading then costs
    /// about what reading the file costs, and weights kept as stored (same dtype, on the CPU, no processing) share
    /// the file's pages with the operating system's cache instead of holding a second copy. Editing such a weight in
    /// place changes only this process's copy. Replace a checkpoint that a loaded model maps by writing a new file and
    /// renaming it over the old one (the Hub download and <c>SafeTensorsWriter</c> do): overwriting it in place
    /// changes, and truncating it breaks, the model's weights. Linux and macOS; elsewhere the files are read.
    /// </summary>
    public bool MemoryMap { get; init; } = true;

    /// <summary>
    /// Compute each head's output in the residual stream and fire <c>blocks.{l}.attn.hook_result</c>
    /// (<c>[batch, pos, head_index, d_model]</c>) in every pass, as TransformerLens's <c>use_attn_result</c>. It costs
    /// memory; without it, <c>hook_result</c> still fires whenever a hook is attached to it.
    /// </summary>
    public bool UseAttnResult { get; init; }

    /// <summary>
    /// Give each head its own copy of the block's residual input for its query, key and value, as TransformerLens's
    /// <c>use_split_qkv_input</c>: <c>blocks.{l}.hook_q_input</c> (<c>[batch, pos, head_index, d_model]</c>),
    /// <c>hook_k_input</c> and <c>hook_v_input</c> (<c>[batch, pos, kv_head, d_model]</c>) fire before <c>ln1</c>,
    /// which then normalises each copy (so <c>ln1</c>'s hooks gain a head axis and fire once per input).
    /// </summary>
    public bool UseSplitQkvInput { get; init; }

    /// <summary>
    /// Fire <c>blocks.{l}.hook_attn_in</c> (<c>[batch, pos, head_index, d_model]</c>), the residual input copied per
    /// head that every head's query, key and value read, as TransformerLens's <c>use_attn_in</c>. Models with
    /// grouped-query attention refuse it.
    /// </summary>
    public bool UseAttnIn { get; init; }

    /// <summary>
    /// Fire <c>blocks.{l}.hook_mlp_in</c> (<c>[batch, pos, d_model]</c>), the residual stream the MLP reads before
    /// <c>ln2</c>, as TransformerLens's <c>use_hook_mlp_in</c>.
    /// </summary>
    public bool UseHookMlpIn { get; init; }

    /// <summary>The Hugging Face revision (branch, tag or commit) to use when the name is a Hub model id.</summary>
    public string Revision { get; init; } = "main";
}
