using InterpKernel.Components;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InterpKernel;

/// <summary>
/// A transformer whose every activation passes through a named <see cref="HookPoint"/> (TransformerLens names),
/// so it can be cached, read or replaced. Load one with <see cref="FromPretrained(string, string, ScalarType?)"/>.
/// </summary>
/// <example>
/// <code>
/// using var model = HookedTransformer.FromPretrained("models/kjv-gpt2-2l");
/// using var tokens = model.ToTokens("In the beginning God created");
/// var (logits, cache) = model.RunWithCache(tokens);
/// using (cache) Console.WriteLine(cache["pattern", 1].shape); // [1, 8, 6, 6]
/// </code>
/// </example>
public sealed partial class HookedTransformer : nn.Module
{
    readonly Embed embed;
    readonly HookPoint hook_embed;
    readonly PosEmbed? pos_embed;
    readonly HookPoint? hook_pos_embed;
    readonly ModuleList<TransformerBlock> blocks;
    readonly nn.Module<Tensor, Tensor> ln_final;
    readonly Unembed unembed;
    readonly Rotary? _rotary;
    readonly Rotary? _localRotary; // sliding-window layers' rotary where their base differs (Gemma 3)
    readonly Dictionary<string, HookPoint> _hookPoints = new(StringComparer.Ordinal);
    readonly List<string> _hookNames = new();
    readonly TransformerBlock[] _blockArray;
    int[] _blockOrder;

    internal HookedTransformer(TransformerConfig config, Weights weights, Device device, ScalarType dtype) : base("HookedTransformer")
    {
        Config = config.Validate();
        Device = device;
        Dtype = dtype;
        embed = new Embed(weights.Get("embed.W_E", config.DVocab, config.DModel));
        hook_embed = new HookPoint("hook_embed");
        if (config.PositionalEmbedding == PositionalEmbeddingType.Standard)
        {
            pos_embed = new PosEmbed(weights.Get("pos_embed.W_pos", config.NCtx, config.DModel));
            hook_pos_embed = new HookPoint("hook_pos_embed");
        }
        else
        {
            _rotary = new Rotary(config.RotaryDims, config.NCtx, config.RotaryBase, device, config.RopeScaling, config.NCtx, config.RotaryInterleaved);
            if (config.LocalRotaryBase is { } localBase)
                _localRotary = new Rotary(config.RotaryDims, config.NCtx, localBase, device, null, config.NCtx, config.RotaryInterleaved);
        }
        var list = new List<TransformerBlock>();
        for (int l = 0; l < config.NLayers; l++)
        {
            var rotary = _localRotary is not null && config.SlidingWindowOf(l) is not null ? _localRotary : _rotary;
            list.Add(new TransformerBlock(l, config, weights, rotary, dtype, device));
        }
        _blockArray = list.ToArray();
        blocks = new ModuleList<TransformerBlock>(_blockArray);
        ln_final = Normalization.Create("ln_final", config, weights);
        unembed = new Unembed(weights.Get("unembed.W_U", config.DModel, config.DVocab),
                              weights.GetOrZeros("unembed.b_U", dtype, device, config.DVocab), config.OutputLogitSoftcap);
        _blockOrder = Enumerable.Range(0, config.NLayers).ToArray();
        RegisterComponents();
        IndexHookPoints();
    }

    /// <summary>The model's shape and wiring.</summary>
    public TransformerConfig Config { get; }

    /// <summary>The device the weights live on; inputs are moved here.</summary>
    public Device Device { get; }

    /// <summary>The dtype the weights and activations are computed in.</summary>
    public ScalarType Dtype { get; }

    /// <summary>Every hook name that fires in a forward pass, in the order it fires.</summary>
    public IReadOnlyList<string> HookNames => _hookNames;

    /// <summary>The transformer blocks, in checkpoint order.</summary>
    public IReadOnlyList<TransformerBlock> Blocks => _blockArray;

    /// <summary>The token embedding.</summary>
    public Embed Embed => embed;

    /// <summary>The position embedding, or <c>null</c> for rotary models.</summary>
    public PosEmbed? PosEmbed => pos_embed;

    /// <summary>The final normalisation.</summary>
    public nn.Module<Tensor, Tensor> LnFinal => ln_final;

    /// <summary>The unembedding.</summary>
    public Unembed Unembed => unembed;

    /// <summary>Embedding matrix <c>[d_vocab, d_model]</c>.</summary>
    public Tensor W_E => embed.WE;
    /// <summary>Unembedding matrix <c>[d_model, d_vocab]</c>.</summary>
    public Tensor W_U => unembed.WU;

    /// <summary>Logits <c>[batch, pos, d_vocab]</c> for tokens <c>[batch, pos]</c> (int64).</summary>
    /// <example><code>using var logits = model.Forward(model.ToTokens("And God said"));</code></example>
    public Tensor Forward(Tensor tokens) => ForwardCore(tokens, null, null, null, null);

    /// <summary>
    /// Logits for <paramref name="tokens"/> continuing the positions held in <paramref name="cache"/>; with
    /// <paramref name="stopAtLayer"/>, the residual stream entering that block instead (<c>[batch, pos, d_model]</c>).
    /// </summary>
    public Tensor Forward(Tensor tokens, KeyValueCache? cache, int? stopAtLayer = null) =>
        ForwardCore(tokens, cache, null, stopAtLayer, null);

    /// <summary>
    /// The rest of a forward pass from the residual stream entering block <paramref name="startAtLayer"/>
    /// (<c>[batch, pos, d_model]</c>, as TransformerLens's <c>start_at_layer</c>): logits, or with
    /// <paramref name="stopAtLayer"/> the residual stream entering that block. Give the
    /// <paramref name="attentionMask"/> (<c>[batch, pos]</c>, 1 = real) of a padded batch.
    /// </summary>
    /// <example><code>using var logits = model.Forward(cache["resid_pre", 1], startAtLayer: 1);</code></example>
    public Tensor Forward(Tensor residual, int startAtLayer, int? stopAtLayer = null, Tensor? attentionMask = null) =>
        ForwardCore(residual, null, startAtLayer, stopAtLayer, attentionMask);

    /// <summary>
    /// Runs tokens (or, with <paramref name="startAtLayer"/>, a residual stream) through blocks
    /// <c>[startAtLayer, stopAtLayer)</c> of the layer order; logits when the pass reaches the end.
    /// </summary>
    internal Tensor ForwardCore(Tensor input, KeyValueCache? cache, int? startAtLayer, int? stopAtLayer, Tensor? attentionMask)
    {
        if (stopAtLayer is { } stop && (stop < 0 || stop > Config.NLayers))
            throw new ArgumentOutOfRangeException(nameof(stopAtLayer), stop,
                $"layer {stop} does not exist: the model has {Config.NLayers} layers (stopAtLayer may be 0 to {Config.NLayers}).");
        int start = startAtLayer ?? 0;
        if (start < 0 || start > Config.NLayers)
            throw new ArgumentOutOfRangeException(nameof(startAtLayer), start,
                $"layer {start} does not exist: the model has {Config.NLayers} layers (startAtLayer may be 0 to {Config.NLayers}).");
        if (stopAtLayer is { } s2 && s2 < start)
            throw new ArgumentException($"stopAtLayer {s2} comes before startAtLayer {start}: give stopAtLayer >= startAtLayer.", nameof(stopAtLayer));
        using var scope = NewDisposeScope();
        using var hookTensors = HookPoint.CollectHookTensors();
        long offset = cache?.Length ?? 0;
        Tensor resid; // [batch, pos, d_model]
        PaddingMask? padding;
        if (startAtLayer is null)
        {
            var input2 = PrepareTokens(input, offset);
            long batch = input2.shape[0], pos = input2.shape[1];
            padding = PaddingMask.For(RealMask(attentionMask, batch, pos), cache, batch, pos, Device);
            resid = hook_embed.call(embed.call(input2));
            if (pos_embed is not null)
                resid = resid + hook_pos_embed!.call(padding is null ? pos_embed.Forward(batch, pos, offset) : pos_embed.Forward(padding.Positions));
        }
        else
        {
            resid = PrepareResidual(input);
            padding = PaddingMask.For(RealMask(attentionMask, resid.shape[0], resid.shape[1]), null, resid.shape[0], resid.shape[1], Device);
        }
        int steps = Math.Min(stopAtLayer ?? _blockOrder.Length, _blockOrder.Length);
        resid = RunBlocks(scope, resid, start, steps, cache, padding);
        if (stopAtLayer is not null)
        {
            HookPoint.HandOver(scope);
            return resid.MoveToOuterDisposeScope();
        }
        var logits = unembed.call(ln_final.call(resid)); // [batch, pos, d_vocab]
        HookPoint.HandOver(scope);
        return logits.MoveToOuterDisposeScope();
    }

    Tensor? RealMask(Tensor? attentionMask, long batch, long pos)
    {
        if (attentionMask is null) return null;
        if (attentionMask.dim() == 1) attentionMask = attentionMask.unsqueeze(0);
        if (attentionMask.dim() != 2 || attentionMask.shape[0] != batch || attentionMask.shape[1] != pos)
            throw new ArgumentException(
                $"attentionMask must be [batch {batch}, pos {pos}] like the input, but has shape [{string.Join(", ", attentionMask.shape)}].", nameof(attentionMask));
        return attentionMask.to(Device).ne(0);
    }

    Tensor PrepareResidual(Tensor residual)
    {
        ArgumentNullException.ThrowIfNull(residual);
        if (residual.dim() != 3 || residual.shape[2] != Config.DModel)
            throw new ArgumentException(
                $"With startAtLayer the input is the residual stream [batch, pos, d_model {Config.DModel}], but it has shape " +
                $"[{string.Join(", ", residual.shape)}]; pass tokens without startAtLayer.", nameof(residual));
        if (residual.shape[1] > Config.NCtx)
            throw new ArgumentException($"The residual stream has {residual.shape[1]} positions, more than the model's context of {Config.NCtx}.", nameof(residual));
        return residual.device == Device && residual.dtype == Dtype ? residual : residual.to(Dtype, Device);
    }

    /// <summary>The hook point called <paramref name="name"/> (full or TransformerLens short name is not accepted here).</summary>
    public HookPoint GetHookPoint(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (_hookPoints.TryGetValue(name, out var point)) return point;
        int? layer = InterpKernel.HookNames.LayerOf(name);
        if (layer is { } l && (l < 0 || l >= Config.NLayers))
            throw new ArgumentException(
                $"'{name}' names layer {l}, which does not exist: the model has {Config.NLayers} layers (0 to {Config.NLayers - 1}).", nameof(name));
        var near = InterpKernel.HookNames.Nearest(name, _hookPoints.Keys);
        throw new ArgumentException(
            $"'{name}' is not a hook point of this model. Did you mean {string.Join(", ", near.Select(n => $"'{n}'"))}? " +
            "HookNames lists every one.", nameof(name));
    }

    internal Tensor PrepareTokens(Tensor tokens, long offset)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.dim() is not (1 or 2))
            throw new ArgumentException(
                $"tokens must be [batch, pos] (or [pos]), but have shape [{string.Join(", ", tokens.shape)}].", nameof(tokens));
        if (tokens.dtype is not (ScalarType.Int64 or ScalarType.Int32))
            throw new ArgumentException($"tokens must be integer ids (int64), but have dtype {tokens.dtype}.", nameof(tokens));
        var t = tokens.dim() == 1 ? tokens.unsqueeze(0) : tokens;
        if (t.dtype != ScalarType.Int64) t = t.to(ScalarType.Int64);
        if (t.device != Device) t = t.to(Device);
        long pos = t.shape[1];
        if (pos == 0) throw new ArgumentException("tokens must hold at least one position.", nameof(tokens));
        if (offset + pos > Config.NCtx)
            throw new ArgumentException(
                offset == 0
                    ? $"The prompt has {pos} tokens, longer than the model's context of {Config.NCtx} tokens (n_ctx): shorten it or split it."
                    : $"{offset} cached plus {pos} new tokens exceed the model's context of {Config.NCtx} tokens (n_ctx).",
                nameof(tokens));
        long min = t.min().item<long>(), max = t.max().item<long>();
        if (min < 0 || max >= Config.DVocab)
            throw new ArgumentException(
                $"token ids must lie in 0..{Config.DVocab - 1} (d_vocab {Config.DVocab}), but range from {min} to {max}.", nameof(tokens));
        return t;
    }

    void IndexHookPoints()
    {
        foreach (var (_, module) in named_modules())
            if (module is HookPoint h) _hookPoints[h.Name] = h;
        _hookNames.AddRange(HooksInForwardOrder().Select(h => h.Name));
        var unknown = _hookNames.Where(n => !_hookPoints.ContainsKey(n)).ToList();
        if (unknown.Count > 0)
            throw new InvalidOperationException($"The hook list names points the model does not have: {string.Join(", ", unknown)}.");
    }

    /// <summary>
    /// The hook points a forward pass fires, in the order it fires them, as each component lists its own next to its
    /// forward code (opt-in <c>hook_result</c> only when <see cref="TransformerConfig.UseAttnResult"/> is set). A test
    /// checks this against a real forward for every model family.
    /// </summary>
    IEnumerable<HookPoint> HooksInForwardOrder()
    {
        yield return hook_embed;
        if (hook_pos_embed is not null) yield return hook_pos_embed;
        foreach (var block in _blockArray)
            foreach (var h in ((IHookOrder)block).HooksInForwardOrder()) yield return h;
        foreach (var h in TransformerBlock.Hooks(ln_final)) yield return h;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _rotary?.Dispose();
            _localRotary?.Dispose();
        }
        base.Dispose(disposing);
    }
}
