using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// One transcoder per layer, each reading <c>blocks.{L}.ln2.hook_normalized</c> and predicting
/// <c>blocks.{L}.hook_mlp_out</c>: the features an attribution graph is built from. This is the only type of the
/// attribution code that knows how a transcoder is stored; the rest asks it for pre-activations, activations and
/// decoder rows.
/// </summary>
/// <remarks>
/// A transcoder is held here as a <see cref="SparseAutoencoder"/> whose <c>W_enc</c> reads the MLP input and whose
/// <c>W_dec</c> and <c>b_dec</c> write the MLP output. Give such transcoders <c>ApplyBDecToInput = false</c>: their
/// decoder bias belongs to the output, not the input. The set does not own the transcoders.
/// </remarks>
/// <example>
/// <code>
/// var transcoders = new TranscoderSet([layer0, layer1]);
/// var graph = AttributionGraph.Compute(model, transcoders, model.ToTokens("And God said"));
/// </code>
/// </example>
public sealed class TranscoderSet
{
    readonly SparseAutoencoder[] _layers;
    readonly Tensor?[] _skips; // [d_model, d_model] per layer, or null

    /// <summary>A set from one transcoder per layer, layer 0 first; a transcoder's skip connection (<c>W_skip</c>) is kept.</summary>
    public TranscoderSet(IReadOnlyList<SparseAutoencoder> transcoders) : this(transcoders, transcoders?.Select(t => t?.WSkip).ToArray())
    {
    }

    /// <summary>
    /// A set of skip transcoders: each layer's output also has a linear term <c>input · skips[L]</c>
    /// (<c>[d_model, d_model]</c>, null for none), which the replacement model keeps as a linear path like attention.
    /// </summary>
    internal TranscoderSet(IReadOnlyList<SparseAutoencoder> transcoders, IReadOnlyList<Tensor?>? skips)
    {
        ArgumentNullException.ThrowIfNull(transcoders);
        if (transcoders.Count == 0)
            throw new ArgumentException("Give one transcoder per layer of the model, layer 0 first.", nameof(transcoders));
        for (int l = 0; l < transcoders.Count; l++)
        {
            if (transcoders[l] is null) throw new ArgumentException($"The transcoder of layer {l} is null.", nameof(transcoders));
            if (transcoders[l].Config.ApplyBDecToInput)
                throw new ArgumentException(
                    $"The transcoder of layer {l} subtracts b_dec from its input (ApplyBDecToInput): a transcoder's b_dec is its output bias; " +
                    "build it with ApplyBDecToInput = false.", nameof(transcoders));
        }
        _layers = transcoders.ToArray();
        if (skips is not null && skips.Count != _layers.Length)
            throw new ArgumentException($"Give one skip matrix (or null) per transcoder: {_layers.Length}, not {skips.Count}.", nameof(skips));
        _skips = skips?.ToArray() ?? new Tensor?[_layers.Length];
    }

    /// <summary>The number of layers (transcoders).</summary>
    public int Count => _layers.Length;

    /// <summary>The number of features of the transcoder of <paramref name="layer"/>.</summary>
    public int FeatureCount(int layer) => _layers[layer].Config.DSae;

    /// <summary>The hook a transcoder of <paramref name="layer"/> reads.</summary>
    public static string InputHook(int layer) => $"blocks.{layer}.ln2.hook_normalized";

    /// <summary>The hook a transcoder of <paramref name="layer"/> predicts.</summary>
    public static string OutputHook(int layer) => $"blocks.{layer}.hook_mlp_out";

    /// <summary>Pre-activations <c>[..., d_transcoder]</c> of MLP inputs <c>[..., d_model]</c>; affine in the input.</summary>
    internal Tensor PreActivation(int layer, Tensor input) => _layers[layer].PreActivation(input.to(_layers[layer].WEnc.dtype));

    /// <summary>Feature activations from pre-activations (the transcoder's nonlinearity).</summary>
    internal Tensor Activate(int layer, Tensor pre) => _layers[layer].Activate(pre);

    /// <summary>Decoder rows <c>[d_transcoder, d_model]</c>: row <c>f</c> is what feature <c>f</c> writes per unit of activation.</summary>
    internal Tensor DecoderRows(int layer) => _layers[layer].WDec;

    /// <summary>The decoder bias <c>[d_model]</c>, written at every position whatever the features.</summary>
    internal Tensor DecoderBias(int layer) => _layers[layer].BDec;

    /// <summary>The transcoder output <c>[..., d_model]</c> for feature activations <c>[..., d_transcoder]</c>.</summary>
    internal Tensor Decode(int layer, Tensor activations) => activations.matmul(_layers[layer].WDec) + _layers[layer].BDec;

    /// <summary>The linear skip term <c>input · W_skip</c> <c>[..., d_model]</c> of <paramref name="layer"/>, or null when it has none.</summary>
    internal Tensor? Skip(int layer, Tensor input) => _skips[layer] is { } w ? input.to(w.dtype).matmul(w) : null;

    /// <summary>Whether any layer has a skip term.</summary>
    internal bool HasSkips => _skips.Any(w => w is not null);

    /// <summary>Checks that the set fits <paramref name="model"/>: one transcoder per layer, reading and writing d_model.</summary>
    internal void CheckFits(HookedTransformer model)
    {
        if (Count != model.Config.NLayers)
            throw new ArgumentException(
                $"The model has {model.Config.NLayers} layers but {Count} transcoders were given: give one per layer.", "transcoders");
        for (int l = 0; l < Count; l++)
        {
            var cfg = _layers[l].Config;
            if (cfg.IsTranscoder && (cfg.HookName != InputHook(l) || cfg.OutputHookName != OutputHook(l)))
                throw new ArgumentException(
                    $"The transcoder given for layer {l} reads '{cfg.HookName}' and predicts '{cfg.OutputHookName}': give layer {l}'s, which reads " +
                    $"'{InputHook(l)}' and predicts '{OutputHook(l)}'.", "transcoders");
            if (cfg.DIn != model.Config.DModel || _layers[l].WDec.shape[1] != model.Config.DModel)
                throw new ArgumentException(
                    $"The transcoder of layer {l} maps {cfg.DIn} to {_layers[l].WDec.shape[1]} dimensions, but the model's d_model is {model.Config.DModel}.", "transcoders");
        }
    }
}
