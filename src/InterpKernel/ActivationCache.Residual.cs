using InterpKernel.Analysis;
using static TorchSharp.torch;

namespace InterpKernel;

public sealed partial class ActivationCache
{
    /// <summary>
    /// The residual stream as it accumulates: <c>resid_pre</c> of every block before <paramref name="layer"/>
    /// (and <c>resid_mid</c> with <paramref name="includeMid"/>), then the final <c>resid_post</c> when
    /// <paramref name="layer"/> is the number of layers (the default). Labels: <c>0_pre</c>, <c>0_mid</c>, …, <c>final_post</c>.
    /// With <paramref name="applyLn"/> every entry is normalised with the cached final scale (<see cref="ApplyLnToStack"/>).
    /// </summary>
    /// <example>
    /// <code>
    /// using var stack = cache.AccumulatedResid(applyLn: true);
    /// using var attrs = cache.LogitAttrs(stack.Components, model.ToSingleToken(" Isaac")); // [component, batch, pos]
    /// </code>
    /// </example>
    public ResidualStack AccumulatedResid(int? layer = null, bool includeMid = false, bool applyLn = false)
    {
        int upTo = CheckStackLayer(layer, nameof(layer));
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        var labels = new List<string>();
        for (int l = 0; l < upTo; l++)
        {
            parts.Add(this["resid_pre", l]);
            labels.Add($"{l}_pre");
            if (includeMid && !Model.Config.ParallelAttnMlp)
            {
                parts.Add(this["resid_mid", l]);
                labels.Add($"{l}_mid");
            }
        }
        if (upTo == Model.Config.NLayers)
        {
            parts.Add(this["resid_post", Model.Config.NLayers - 1]);
            labels.Add("final_post");
        }
        return Finish(parts, labels, applyLn, upTo);
    }

    /// <summary>
    /// The residual stream entering <paramref name="layer"/> (the final one by default) split into what wrote it:
    /// <c>embed</c>, <c>pos_embed</c> (models with learned positions) and each block's <c>attn_out</c> and
    /// <c>mlp_out</c>. The components sum to that residual stream.
    /// </summary>
    /// <example><code>using var parts = cache.DecomposeResid(); // parts.Labels: embed, pos_embed, 0_attn_out, 0_mlp_out, …</code></example>
    public ResidualStack DecomposeResid(int? layer = null, bool applyLn = false)
    {
        int upTo = CheckStackLayer(layer, nameof(layer));
        using var scope = NewDisposeScope();
        var parts = new List<Tensor> { this["hook_embed"] };
        var labels = new List<string> { "embed" };
        if (Model.PosEmbed is not null)
        {
            parts.Add(this["hook_pos_embed"].expand_as(parts[0]));
            labels.Add("pos_embed");
        }
        for (int l = 0; l < upTo; l++)
        {
            parts.Add(this["attn_out", l]);
            labels.Add($"{l}_attn_out");
            parts.Add(this["mlp_out", l]);
            labels.Add($"{l}_mlp_out");
        }
        return Finish(parts, labels, applyLn, upTo);
    }

    /// <summary>
    /// What each attention head of the blocks before <paramref name="layer"/> (all by default) wrote to the residual
    /// stream, <c>z · W_O</c> per head (the bias <c>b_O</c> is not a head's and is left out). Labels <c>L{layer}H{head}</c>.
    /// Read from <c>hook_result</c> when cached, else computed from <c>hook_z</c>.
    /// </summary>
    /// <example><code>using var heads = cache.StackHeadResults(); // [n_layers * n_heads, batch, pos, d_model]</code></example>
    public ResidualStack StackHeadResults(int? layer = null, bool applyLn = false)
    {
        int upTo = CheckStackLayer(layer, nameof(layer));
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        var labels = new List<string>();
        for (int l = 0; l < upTo; l++)
        {
            string resultName = InterpKernel.HookNames.Of("result", l);
            var perHead = ContainsKey(resultName)
                ? this[resultName] // [batch, pos, head_index, d_model]
                : einsum("bphd,hdm->bphm", this["z", l], Model.Blocks[l].Attn.WO.to(this["z", l].dtype));
            for (int h = 0; h < Model.Config.NHeads; h++)
            {
                parts.Add(perHead.select(2, h));
                labels.Add($"L{l}H{h}");
            }
        }
        return Finish(parts, labels, applyLn, upTo);
    }

    /// <summary>
    /// Applies a normalisation to every component of a residual stack with the scale cached in this run, as
    /// TransformerLens's <c>apply_ln_to_stack</c>: centre (LayerNorm), divide by the cached <c>hook_scale</c>,
    /// multiply by the learned weight. This keeps the map linear, so normalised components still sum to the
    /// normalised total minus the norm's bias, which belongs to no component and is left out.
    /// <paramref name="layer"/> null or <c>n_layers</c> uses <c>ln_final</c>; a block index uses that block's <c>ln1</c>.
    /// </summary>
    /// <param name="residualStack"><c>[component, batch, pos, d_model]</c>.</param>
    /// <param name="layer">Which normalisation's scale to use.</param>
    public Tensor ApplyLnToStack(Tensor residualStack, int? layer = null)
    {
        ArgumentNullException.ThrowIfNull(residualStack);
        int at = CheckStackLayer(layer, nameof(layer));
        if (residualStack.dim() != 4 || residualStack.shape[^1] != Model.Config.DModel)
            throw new ArgumentException(
                $"residualStack must be [component, batch, pos, d_model={Model.Config.DModel}], but has shape [{string.Join(", ", residualStack.shape)}].",
                nameof(residualStack));
        bool final = at == Model.Config.NLayers;
        var scale = final ? this["ln_final.hook_scale"] : this["scale", at, "ln1"]; // [batch, pos, 1]
        var norm = final ? Model.LnFinal : Model.Blocks[at].Ln1;
        if (scale.shape[0] != residualStack.shape[1] || scale.shape[1] != residualStack.shape[2])
            throw new ArgumentException(
                $"residualStack has batch {residualStack.shape[1]} and {residualStack.shape[2]} positions, but the cached scale is " +
                $"[{string.Join(", ", scale.shape)}]: apply it with the cache of the run the stack came from.", nameof(residualStack));
        using var scope = NewDisposeScope();
        return NormMath.Apply(Model, norm, residualStack, scale, addBias: false).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Direct logit attribution: each component's contribution to the logit of <paramref name="tokens"/>
    /// (minus that of <paramref name="incorrectTokens"/>), <c>[component, batch, pos]</c>. Pass a stack that went
    /// through <see cref="ApplyLnToStack"/>; the unembedding bias and final-norm bias are constants outside every component.
    /// </summary>
    /// <param name="residualStack"><c>[component, batch, pos, d_model]</c>.</param>
    /// <param name="tokens">Answer token per batch element, int64 <c>[batch]</c> or a scalar.</param>
    /// <param name="incorrectTokens">Optional token per batch element whose logit is subtracted.</param>
    public Tensor LogitAttrs(Tensor residualStack, Tensor tokens, Tensor? incorrectTokens = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        using var scope = NewDisposeScope();
        var wU = Model.W_U;
        var dir = wU.index_select(1, tokens.reshape(-1).to(ScalarType.Int64).to(wU.device)).t(); // [batch or 1, d_model]
        if (incorrectTokens is not null)
            dir = dir - wU.index_select(1, incorrectTokens.reshape(-1).to(ScalarType.Int64).to(wU.device)).t();
        return LogitAttrsAlong(residualStack, dir).MoveToOuterDisposeScope();
    }

    /// <summary>Direct logit attribution to one token (minus an incorrect one), <c>[component, batch, pos]</c>.</summary>
    /// <example><code>using var dla = cache.LogitAttrs(cache.ApplyLnToStack(parts.Components), isaac, jacob);</code></example>
    public Tensor LogitAttrs(Tensor residualStack, int token, int? incorrectToken = null)
    {
        using var scope = NewDisposeScope();
        var t = tensor(new long[] { token });
        var i = incorrectToken is { } bad ? tensor(new long[] { bad }) : null;
        return LogitAttrs(residualStack, t, i).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Each component's projection onto residual directions (e.g. a difference of unembedding columns),
    /// <c>[component, batch, pos]</c>; <paramref name="directions"/> is <c>[d_model]</c> or <c>[batch, d_model]</c>.
    /// </summary>
    public Tensor LogitAttrsAlong(Tensor residualStack, Tensor directions)
    {
        ArgumentNullException.ThrowIfNull(residualStack);
        ArgumentNullException.ThrowIfNull(directions);
        long d = Model.Config.DModel;
        if (residualStack.dim() != 4 || residualStack.shape[^1] != d)
            throw new ArgumentException(
                $"residualStack must be [component, batch, pos, d_model={d}], but has shape [{string.Join(", ", residualStack.shape)}].", nameof(residualStack));
        if (directions.shape[^1] != d || directions.dim() > 2)
            throw new ArgumentException(
                $"directions must be [d_model={d}] or [batch, d_model], but have shape [{string.Join(", ", directions.shape)}].", nameof(directions));
        using var scope = NewDisposeScope();
        var dir = directions.dim() == 1 ? directions.unsqueeze(0) : directions; // [batch or 1, d_model]
        if (dir.shape[0] != 1 && dir.shape[0] != residualStack.shape[1])
            throw new ArgumentException(
                $"directions has {dir.shape[0]} rows but the stack has batch {residualStack.shape[1]}: give one direction or one per batch element.", nameof(directions));
        dir = dir.to(residualStack.dtype).to(residualStack.device);
        return (residualStack * dir.unsqueeze(1)).sum(-1).MoveToOuterDisposeScope(); // [component, batch, pos]
    }

    ResidualStack Finish(List<Tensor> parts, List<string> labels, bool applyLn, int layer)
    {
        if (parts.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, "layer 0 holds no accumulated residual stream: ask for layer 1 or more.");
        var stacked = stack(parts, 0); // [component, batch, pos, d_model]
        if (applyLn) stacked = ApplyLnToStack(stacked, layer);
        return new ResidualStack(stacked.MoveToOuterDisposeScope(), labels.ToArray());
    }

    int CheckStackLayer(int? layer, string paramName)
    {
        int n = Model.Config.NLayers;
        int l = layer ?? n;
        if (l < 0 || l > n)
            throw new ArgumentOutOfRangeException(paramName, l, $"layer {l} does not exist here: the model has {n} layers, so give 0 to {n} ({n} means after the last block).");
        return l;
    }
}
