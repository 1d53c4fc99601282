using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// A sparse autoencoder on one model hook, in SAELens's layout and conventions: <c>W_enc [d_in, d_sae]</c>,
/// <c>b_enc</c>, <c>W_dec [d_sae, d_in]</c>, <c>b_dec</c> and, for JumpReLU, <c>threshold</c>. Its activations pass
/// through hook points named after the model hook (<c>blocks.1.hook_resid_pre.hook_sae_acts_post</c>), which can be
/// hooked like the model's own (<see cref="GetHookPoint(string)"/>) and cached through <see cref="SaeScope.RunWithCache"/>.
/// A transcoder is an SAE whose config names an output hook (<see cref="SaeConfig.HookNameOut"/>): it reads
/// <c>blocks.L.ln2.hook_normalized</c>, predicts <c>blocks.L.hook_mlp_out</c> (<c>W_dec [d_sae, d_out]</c>,
/// <c>b_dec [d_out]</c>, optionally <c>W_skip [d_in, d_out]</c>), and its hook points are named after the input hook.
/// </summary>
/// <example>
/// <code>
/// using var sae = SparseAutoencoder.Load("saes/kjv-2l-resid-pre-1");
/// using var acts = sae.Encode(cache[sae.Config.HookName]); // [batch, pos, d_sae]
/// </code>
/// </example>
public sealed partial class SparseAutoencoder : nn.Module<Tensor, Tensor>
{
    /// <summary>The hook point suffixes SAELens users know, in the order they fire.</summary>
    public static IReadOnlyList<string> HookSuffixes { get; } =
        ["hook_sae_input", "hook_sae_acts_pre", "hook_sae_acts_post", "hook_sae_recons", "hook_sae_error"];

    readonly Parameter W_enc, b_enc, W_dec, b_dec;
    readonly Parameter? threshold, W_skip;
    readonly HookPoint hook_sae_input, hook_sae_acts_pre, hook_sae_acts_post, hook_sae_recons, hook_sae_error;
    readonly Dictionary<string, HookPoint> _points;

    SparseAutoencoder(SaeConfig config, Tensor wEnc, Tensor bEnc, Tensor wDec, Tensor bDec, Tensor? thresholdValues, Tensor? wSkip, bool trainable)
        : base("sae")
    {
        Config = config.Validate();
        W_enc = new Parameter(wEnc, requires_grad: trainable);
        b_enc = new Parameter(bEnc, requires_grad: trainable);
        W_dec = new Parameter(wDec, requires_grad: trainable);
        b_dec = new Parameter(bDec, requires_grad: trainable);
        if (thresholdValues is not null) threshold = new Parameter(thresholdValues, requires_grad: false);
        if (wSkip is not null) W_skip = new Parameter(wSkip, requires_grad: trainable);
        string p = config.HookName + ".";
        hook_sae_input = new HookPoint(p + "hook_sae_input");
        hook_sae_acts_pre = new HookPoint(p + "hook_sae_acts_pre");
        hook_sae_acts_post = new HookPoint(p + "hook_sae_acts_post");
        hook_sae_recons = new HookPoint(p + "hook_sae_recons");
        hook_sae_error = new HookPoint(p + "hook_sae_error");
        RegisterComponents();
        _points = new[] { hook_sae_input, hook_sae_acts_pre, hook_sae_acts_post, hook_sae_recons, hook_sae_error }
            .ToDictionary(h => h.Name, StringComparer.Ordinal);
    }

    /// <summary>
    /// A new SAE with random weights for training: decoder rows of unit norm, the encoder their transpose, biases
    /// (and JumpReLU thresholds) zero. A transcoder whose input and output differ in width gets an encoder of unit-norm
    /// columns of its own, and a skip connection starts at zero. Deterministic for a given <paramref name="seed"/>.
    /// </summary>
    public static SparseAutoencoder Create(SaeConfig config, int seed = 0, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var dev = device ?? CPU;
        using var scope = NewDisposeScope();
        var gen = new Generator((ulong)seed);
        var wDec = randn([config.DSae, config.OutputWidth], ScalarType.Float32, generator: gen);
        wDec = (wDec / wDec.norm(1, keepdim: true)).to(dtype, dev);
        Tensor wEnc;
        if (config.OutputWidth == config.DIn) wEnc = wDec.t();
        else
        {
            wEnc = randn([config.DIn, config.DSae], ScalarType.Float32, generator: gen);
            wEnc = (wEnc / wEnc.norm(0, keepdim: true)).to(dtype, dev);
        }
        var sae = new SparseAutoencoder(config, wEnc.contiguous(), zeros(config.DSae, dtype, dev), wDec.contiguous(), zeros(config.OutputWidth, dtype, dev),
            config.Architecture == SaeArchitecture.JumpRelu ? zeros(config.DSae, dtype, dev) : null,
            config.HasSkip ? zeros([config.DIn, config.OutputWidth], dtype, dev) : null, trainable: true);
        foreach (var p in sae.parameters()) p.DetachFromDisposeScope();
        return sae;
    }

    /// <summary>
    /// An SAE from given weights (copied): <paramref name="wEnc"/> <c>[d_in, d_sae]</c>, <paramref name="bEnc"/>
    /// <c>[d_sae]</c>, <paramref name="wDec"/> <c>[d_sae, d_in]</c>, <paramref name="bDec"/> <c>[d_in]</c>, and
    /// <paramref name="threshold"/> <c>[d_sae]</c> for JumpReLU. For a transcoder, <paramref name="wDec"/> is
    /// <c>[d_sae, d_out]</c>, <paramref name="bDec"/> <c>[d_out]</c>, and <paramref name="wSkip"/> <c>[d_in, d_out]</c>
    /// when the config has a skip connection.
    /// </summary>
    public static SparseAutoencoder FromWeights(SaeConfig config, Tensor wEnc, Tensor bEnc, Tensor wDec, Tensor bDec, Tensor? threshold = null, Tensor? wSkip = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        const string Source = "the given weights";
        var checkedWeights = new Dictionary<string, Tensor>
        {
            ["W_enc"] = Check(Source, "W_enc", wEnc, config.DIn, config.DSae),
            ["b_enc"] = Check(Source, "b_enc", bEnc, config.DSae),
            ["W_dec"] = Check(Source, "W_dec", wDec, config.DSae, config.OutputWidth),
            ["b_dec"] = Check(Source, "b_dec", bDec, config.OutputWidth),
        };
        if (config.HasSkip)
            checkedWeights["W_skip"] = Check(Source, "W_skip", wSkip ?? throw new ArgumentException("A skip transcoder needs W_skip [d_in, d_out].", nameof(wSkip)), config.DIn, config.OutputWidth);
        if (config.Architecture == SaeArchitecture.JumpRelu)
            checkedWeights["threshold"] = Check(Source, "threshold", threshold ?? throw new ArgumentException("A JumpReLU SAE needs its threshold [d_sae].", nameof(threshold)), config.DSae);
        return Build(config, checkedWeights, copy: true);
    }

    static SparseAutoencoder Build(SaeConfig config, Dictionary<string, Tensor> w, bool copy)
    {
        using var scope = NewDisposeScope();
        var dtype = w["W_enc"].dtype;
        Tensor Take(string name) => copy ? w[name].detach().to(dtype).clone() : w[name].to(dtype);
        var sae = new SparseAutoencoder(config, Take("W_enc"), Take("b_enc"), Take("W_dec"), Take("b_dec"),
            w.ContainsKey("threshold") ? Take("threshold") : null, w.ContainsKey("W_skip") ? Take("W_skip") : null, trainable: false);
        foreach (var p in sae.parameters()) p.DetachFromDisposeScope();
        return sae;
    }

    static Tensor Check(string source, string name, Tensor tensor, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(tensor, name);
        if (!tensor.shape.SequenceEqual(shape))
            throw new InvalidDataException(
                $"{source}: '{name}' has shape [{string.Join(", ", tensor.shape)}], but the config (d_in, d_sae, d_out) implies [{string.Join(", ", shape)}]. " +
                "Check that cfg.json belongs to these weights.");
        if (!tensor.is_floating_point())
            throw new InvalidDataException($"{source}: '{name}' has dtype {tensor.dtype}; SAE weights must be floating point.");
        return tensor;
    }

    /// <summary>The SAE's configuration.</summary>
    public SaeConfig Config { get; }

    /// <summary>Encoder weights <c>[d_in, d_sae]</c>.</summary>
    public Tensor WEnc => W_enc;
    /// <summary>Encoder bias <c>[d_sae]</c>.</summary>
    public Tensor BEnc => b_enc;
    /// <summary>Decoder weights <c>[d_sae, d_in]</c> (<c>[d_sae, d_out]</c> for a transcoder): row <c>f</c> is what feature <c>f</c> writes.</summary>
    public Tensor WDec => W_dec;
    /// <summary>Decoder bias <c>[d_in]</c> (<c>[d_out]</c> for a transcoder).</summary>
    public Tensor BDec => b_dec;
    /// <summary>A skip transcoder's linear map <c>[d_in, d_out]</c> from input to output, else <c>null</c>.</summary>
    public Tensor? WSkip => W_skip;
    /// <summary>JumpReLU thresholds <c>[d_sae]</c>, else <c>null</c>.</summary>
    public Tensor? Threshold => threshold;

    /// <summary>The full names of the SAE's hook points, in firing order (<c>{hook}.hook_sae_input</c>, ...).</summary>
    public IReadOnlyList<string> HookNames => HookSuffixes.Select(s => $"{Config.HookName}.{s}").ToArray();

    /// <summary>One of the SAE's hook points, by full name or by suffix (<c>hook_sae_acts_post</c>).</summary>
    public HookPoint GetHookPoint(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (_points.TryGetValue(name, out var p) || _points.TryGetValue($"{Config.HookName}.{name}", out p)) return p;
        throw new ArgumentException(
            $"'{name}' is not a hook point of this SAE; its hook points are {string.Join(", ", HookNames.Select(n => $"'{n}'"))}.", nameof(name));
    }

    /// <summary>Feature activations <c>[..., d_sae]</c> of activations <c>[..., d_in]</c> (through the input and acts hooks).</summary>
    public Tensor Encode(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckInput(x);
        using var scope = NewDisposeScope();
        var input = hook_sae_input.call(x.to(W_enc.dtype));
        var pre = hook_sae_acts_pre.call(PreActivation(input));
        return hook_sae_acts_post.call(Activate(pre)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The reconstruction <c>[..., d_in]</c> (<c>[..., d_out]</c> for a transcoder) of feature activations <c>[..., d_sae]</c>
    /// (through <c>hook_sae_recons</c>); a skip transcoder's skip term needs the input, so only <see cref="forward"/> adds it.
    /// </summary>
    public Tensor Decode(Tensor featureActs)
    {
        ArgumentNullException.ThrowIfNull(featureActs);
        using var scope = NewDisposeScope();
        return hook_sae_recons.call(featureActs.to(W_dec.dtype).matmul(W_dec) + b_dec).MoveToOuterDisposeScope();
    }

    /// <summary>The reconstruction of activations <c>[..., d_in]</c>; for a transcoder, its prediction <c>[..., d_out]</c> (skip term included).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var output = Decode(Encode(x));
        if (W_skip is not null) output = output + x.to(W_skip.dtype).matmul(W_skip);
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// What replaces the model's activation <paramref name="target"/> when the SAE (or transcoder, reading
    /// <paramref name="activation"/>) is spliced in: the reconstruction, plus the error term when asked.
    /// </summary>
    internal Tensor Splice(Tensor activation, Tensor target, bool useErrorTerm)
    {
        var input = hook_sae_input.call(activation.to(W_enc.dtype));
        var pre = hook_sae_acts_pre.call(PreActivation(input));
        var recons = hook_sae_recons.call(Output(hook_sae_acts_post.call(Activate(pre)), input));
        if (!useErrorTerm) return recons.to(target.dtype);
        // The error is measured against the unhooked reconstruction, so editing features changes the output.
        var clean = Output(Activate(PreActivation(input)), input);
        hook_sae_error.call(target.to(W_enc.dtype) - clean);
        // target + (recons - clean) equals recons + error, and is exactly the target while no feature is edited.
        return (target.to(W_enc.dtype) + (recons - clean)).to(target.dtype);
    }

    /// <summary>The decoder (and skip term) without hooks: <c>acts W_dec + b_dec (+ input W_skip)</c>.</summary>
    internal Tensor Output(Tensor acts, Tensor input)
    {
        var output = acts.matmul(W_dec) + b_dec;
        return W_skip is null ? output : output + input.matmul(W_skip);
    }

    /// <summary>Pre-activations without hooks (for training and evaluation).</summary>
    internal Tensor PreActivation(Tensor input) =>
        (Config.ApplyBDecToInput ? input - b_dec : input).matmul(W_enc) + b_enc; // [..., d_sae]

    /// <summary>Feature activations from pre-activations, by architecture, without hooks.</summary>
    internal Tensor Activate(Tensor pre)
    {
        switch (Config.Architecture)
        {
            case SaeArchitecture.Standard:
                return nn.functional.relu(pre);
            case SaeArchitecture.JumpRelu:
                return nn.functional.relu(pre) * pre.gt(threshold!).to(pre.dtype);
            default:
                var (values, indices) = pre.topk(Config.K!.Value, dim: -1);
                return zeros_like(pre).scatter(-1, indices, nn.functional.relu(values));
        }
    }

    void CheckInput(Tensor x)
    {
        if (x.dim() < 1 || x.shape[^1] != Config.DIn)
            throw new ArgumentException(
                $"The SAE reads activations whose last axis is d_in = {Config.DIn}, but got shape [{string.Join(", ", x.shape)}].", nameof(x));
    }
}
