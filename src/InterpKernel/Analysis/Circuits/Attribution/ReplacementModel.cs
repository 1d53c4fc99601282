using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// A model on one prompt with every MLP replaced by its transcoder plus a fixed error term, and with its attention
/// patterns and normalisation scales frozen at their values on the clean run. Given those frozen nonlinearities the
/// residual stream is an affine function of the token embeddings, the transcoder features and the errors, so the
/// direct effect of one on another is a gradient times an activation (see <c>AttributionGraph</c>).
/// </summary>
/// <remarks>
/// The error of layer <c>L</c> at each position is the true <c>hook_mlp_out</c> minus the transcoder's output on the
/// clean run, so on that run the replacement model gives the original logits. Editing features
/// (<see cref="Run(IReadOnlyList{FeatureIntervention}, bool)"/>) keeps the errors, patterns and scales fixed.
/// The model must be affine apart from attention patterns, normalisation scales and MLPs: a final logit softcap is
/// refused. The replacement model owns its tensors: dispose it.
/// </remarks>
/// <example>
/// <code>
/// using var replacement = ReplacementModel.Create(model, transcoders, model.ToTokens("And God said"));
/// using var logits = replacement.Run([FeatureIntervention.Set(layer: 1, position: 3, feature: 17, value: 0)]);
/// </code>
/// </example>
public sealed partial class ReplacementModel : IDisposable
{
    readonly List<Tensor> _owned = [];
    readonly Tensor[] _patterns;                          // [1, head_index, query_pos, key_pos] per layer
    readonly (string Name, Tensor Scale)[] _scales;       // [1, pos, 1] per normalisation
    readonly Tensor[] _activations, _errors, _mlpOut;     // [pos, d_transcoder], [pos, d_model], [pos, d_model]
    readonly Tensor[] _nodeOutput;                        // [pos, d_model]

    ReplacementModel(HookedTransformer model, TranscoderSet transcoders, Tensor tokens, ActivationCache cache, Tensor logits)
    {
        Model = model;
        Transcoders = transcoders;
        int n = model.Config.NLayers;
        Tokens = Keep(tokens.to(model.Device));
        Embedding = Keep(cache["blocks.0.hook_resid_pre"][0]);
        CleanLogits = Keep(logits);
        _patterns = new Tensor[n];
        _activations = new Tensor[n];
        _errors = new Tensor[n];
        _mlpOut = new Tensor[n];
        _nodeOutput = new Tensor[n];
        for (int l = 0; l < n; l++)
        {
            _patterns[l] = Keep(cache[$"blocks.{l}.attn.hook_pattern"]);
            _mlpOut[l] = Keep(cache[TranscoderSet.OutputHook(l)][0]);
            using var scope = NewDisposeScope();
            var input = cache[TranscoderSet.InputHook(l)][0];
            var acts = transcoders.Activate(l, transcoders.PreActivation(l, input));
            var predicted = transcoders.Decode(l, acts).to(_mlpOut[l].dtype);
            if (transcoders.Skip(l, input) is { } skip) predicted = predicted + skip.to(predicted.dtype);
            var error = _mlpOut[l] - predicted;
            _activations[l] = Keep(acts);
            _errors[l] = Keep(error);
            _nodeOutput[l] = Keep(transcoders.Skip(l, input) is { } s ? _mlpOut[l] - s.to(_mlpOut[l].dtype) : _mlpOut[l]);
        }
        _scales = model.HookNames.Where(IsScale).Select(name => (name, Keep(cache[name]))).ToArray();
    }

    /// <summary>
    /// Runs <paramref name="model"/> once on <paramref name="tokens"/> (<c>[pos]</c> or <c>[1, pos]</c>) and freezes
    /// what the replacement model keeps fixed. <paramref name="transcoders"/> must hold one transcoder per layer.
    /// </summary>
    public static ReplacementModel Create(HookedTransformer model, TranscoderSet transcoders, Tensor tokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(transcoders);
        ArgumentNullException.ThrowIfNull(tokens);
        transcoders.CheckFits(model);
        if (model.Config.OutputLogitSoftcap is not null)
            throw new ArgumentException("The model softcaps its logits, which is not affine in the residual stream: attribution graphs need a model without a final logit softcap.", nameof(model));
        if (!model.HookNames.Contains(TranscoderSet.InputHook(0)))
            throw new ArgumentException(
                $"The model has no normalisation before its MLPs ('{TranscoderSet.InputHook(0)}'), which is what transcoders read: " +
                "attribution graphs need a model with a pre-MLP norm.", nameof(model));
        if (tokens.dim() is not (1 or 2) || tokens.dim() == 2 && tokens.shape[0] != 1)
            throw new ArgumentException($"Give one prompt of tokens [pos] or [1, pos]; got shape [{string.Join(", ", tokens.shape)}].", nameof(tokens));
        using var scope = NewDisposeScope();
        if (tokens.dim() == 1) tokens = tokens.unsqueeze(0);
        using var noGrad = no_grad();
        var (logits, cache) = model.RunWithCache(tokens, name =>
            IsScale(name) || name.EndsWith(".attn.hook_pattern", StringComparison.Ordinal) || name == "blocks.0.hook_resid_pre" ||
            name.EndsWith(".ln2.hook_normalized", StringComparison.Ordinal) || name.EndsWith(".hook_mlp_out", StringComparison.Ordinal));
        using (cache) return new ReplacementModel(model, transcoders, tokens, cache, logits);
    }

    /// <summary>The model whose MLPs are replaced.</summary>
    public HookedTransformer Model { get; }

    /// <summary>The transcoders that replace the MLPs.</summary>
    public TranscoderSet Transcoders { get; }

    /// <summary>The prompt, <c>[1, pos]</c>.</summary>
    public Tensor Tokens { get; }

    /// <summary>The number of positions of the prompt.</summary>
    public int Positions => (int)Tokens.shape[1];

    /// <summary>The residual stream entering block 0 (token plus position embeddings), <c>[pos, d_model]</c>.</summary>
    public Tensor Embedding { get; }

    /// <summary>The original model's logits on the prompt, <c>[1, pos, d_vocab]</c>.</summary>
    public Tensor CleanLogits { get; }

    /// <summary>The transcoder activations of <paramref name="layer"/> on the clean run, <c>[pos, d_transcoder]</c>.</summary>
    public Tensor Activations(int layer) => _activations[CheckLayer(layer)];

    /// <summary>The error of <paramref name="layer"/>: true MLP output minus the transcoder's, <c>[pos, d_model]</c>.</summary>
    public Tensor Errors(int layer) => _errors[CheckLayer(layer)];

    /// <summary>The true MLP output of <paramref name="layer"/> on the clean run, <c>[pos, d_model]</c>.</summary>
    public Tensor MlpOut(int layer) => _mlpOut[CheckLayer(layer)];

    /// <summary>
    /// What the nodes of <paramref name="layer"/> write on the clean run, <c>[pos, d_model]</c>: the features, the decoder
    /// bias and the error, that is the MLP output less a skip transcoder's linear term (which stays a path, not a node).
    /// </summary>
    internal Tensor NodeOutput(int layer) => _nodeOutput[CheckLayer(layer)];

    /// <summary>
    /// Logits <c>[1, pos, d_vocab]</c> of the replacement model with <paramref name="interventions"/> applied (none:
    /// the clean logits, up to float error). With <paramref name="freezeFeatures"/> every feature not intervened on
    /// keeps its clean activation, so a change reaches the logits only directly, not through later features.
    /// </summary>
    public Tensor Run(IReadOnlyList<FeatureIntervention>? interventions = null, bool freezeFeatures = false)
    {
        var edits = (interventions ?? []).ToArray();
        foreach (var e in edits) CheckIntervention(e);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var inputs = new Tensor?[Model.Config.NLayers];
        var hooks = FrozenHooks();
        for (int l = 0; l < Model.Config.NLayers; l++)
        {
            int layer = l;
            hooks.Add((TranscoderSet.InputHook(layer), (x, _) => { inputs[layer] = x.detach().clone(); return null; }));
            hooks.Add((TranscoderSet.OutputHook(layer), (mlpOut, _) =>
            {
                var acts = freezeFeatures
                    ? _activations[layer].unsqueeze(0).clone()
                    : Transcoders.Activate(layer, Transcoders.PreActivation(layer, inputs[layer]!));
                foreach (var e in edits.Where(e => e.Layer == layer)) e.Apply(acts);
                var output = Transcoders.Decode(layer, acts).to(mlpOut.dtype) + _errors[layer];
                if (Transcoders.Skip(layer, inputs[layer]!) is { } skip) output = output + skip.to(mlpOut.dtype);
                return output.expand(mlpOut.shape);
            }));
        }
        using (Model.Hooks(hooks.ToArray()))
            return Model.Forward(Embedding.unsqueeze(0), startAtLayer: 0).MoveToOuterDisposeScope();
    }

    /// <summary>Hooks that replace every attention pattern and normalisation scale by its clean value, for any batch size.</summary>
    internal List<(string Name, HookFunction Hook)> FrozenHooks()
    {
        var hooks = new List<(string Name, HookFunction Hook)>();
        for (int l = 0; l < _patterns.Length; l++)
        {
            var pattern = _patterns[l];
            hooks.Add(($"blocks.{l}.attn.hook_pattern", (a, _) => pattern.expand(a.shape)));
        }
        foreach (var (name, scale) in _scales) hooks.Add((name, (a, _) => scale.expand(a.shape)));
        return hooks;
    }

    void CheckIntervention(FeatureIntervention e)
    {
        CheckLayer(e.Layer);
        if (e.Position < 0 || e.Position >= Positions)
            throw new ArgumentException($"Position {e.Position} does not exist: the prompt has {Positions} positions.", "interventions");
        if (e.Feature < 0 || e.Feature >= Transcoders.FeatureCount(e.Layer))
            throw new ArgumentException($"Feature {e.Feature} does not exist: the transcoder of layer {e.Layer} has {Transcoders.FeatureCount(e.Layer)} features.", "interventions");
    }

    int CheckLayer(int layer) => layer >= 0 && layer < _patterns.Length ? layer
        : throw new ArgumentOutOfRangeException(nameof(layer), layer, $"layer {layer} does not exist: the model has {_patterns.Length} layers.");

    static bool IsScale(string name) => name.EndsWith(".hook_scale", StringComparison.Ordinal) || name == "ln_final.hook_scale";

    Tensor Keep(Tensor t)
    {
        var kept = t.detach().clone().DetachFromDisposeScope();
        _owned.Add(kept);
        return kept;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _owned) t.Dispose();
        _owned.Clear();
    }
}
