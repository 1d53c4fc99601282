using static TorchSharp.torch;

namespace InterpKernel.Loading;

/// <summary>
/// TransformerLens's weight processing, applied to the TransformerLens-named weights before a model is built:
/// fold the norms' learned scale and bias into the maps that read them, center what writes to the residual stream,
/// center the unembedding, and move value biases into the output bias. Every step leaves the next-token
/// distribution unchanged; docs/weight-processing.md says which hook values each one changes.
/// </summary>
/// <remarks>
/// Arithmetic runs in float64 one layer at a time (so at most one layer's float64 copy is alive), and each result is
/// cast to the model's dtype as soon as it is final.
/// </remarks>
internal static class WeightProcessing
{
    const ScalarType Work = ScalarType.Float64;

    /// <summary>
    /// The processed weights, in <paramref name="dtype"/>, and the config that describes them (norms become
    /// <c>LayerNormPre</c>/<c>RmsNormPre</c> when folded). Tensors are created in the caller's dispose scope.
    /// </summary>
    public static (TransformerConfig Config, Dictionary<string, Tensor> Weights) Apply(
        TransformerConfig cfg, IReadOnlyDictionary<string, Tensor> raw, LoadOptions steps, ScalarType dtype, string source)
    {
        var weights = new Weights(raw, source);
        var device = weights.Get("embed.W_E", cfg.DVocab, cfg.DModel).device;
        bool layerNorm = cfg.Normalization is NormalizationType.LayerNorm or NormalizationType.LayerNormPre;
        bool fold = steps.FoldLayerNorm && !cfg.NormalizationIsFolded;
        // RMSNorm keeps the mean of its input, so a constant added along the residual stream would change its output.
        bool centerWriting = steps.CenterWritingWeights && layerNorm;
        var output = new Dictionary<string, Tensor>(StringComparer.Ordinal);

        for (int l = 0; l < cfg.NLayers; l++)
        {
            using var scope = NewDisposeScope();
            var layer = ProcessLayer(cfg, weights, device, l, fold, layerNorm, centerWriting, steps.FoldValueBiases);
            foreach (var (name, t) in layer) output[name] = t.to(dtype).MoveToOuterDisposeScope();
        }
        using (var scope = NewDisposeScope())
        {
            foreach (var (name, t) in ProcessEnds(cfg, weights, device, fold, layerNorm, centerWriting, steps.CenterUnembed))
                output[name] = t.to(dtype).MoveToOuterDisposeScope();
        }

        var normalization = !fold ? cfg.Normalization
            : layerNorm ? NormalizationType.LayerNormPre : NormalizationType.RmsNormPre;
        // What the steps did not touch is the norms' weights: gone once folded, otherwise kept in the model's dtype.
        // Fused Q/K/V weights were read through their W_Q/W_K/W_V views, which the output now holds processed.
        if (!fold)
        {
            foreach (var (name, t) in raw)
                if (!output.ContainsKey(name) && !name.EndsWith("_QKV", StringComparison.Ordinal)) output[name] = t.to(dtype);
        }
        return (cfg with { Normalization = normalization }, output);
    }

    static List<(string Name, Tensor Value)> ProcessLayer(
        TransformerConfig cfg, Weights weights, Device device, int l, bool fold, bool layerNorm, bool centerWriting, bool foldValueBiases)
    {
        int m = cfg.DModel, h = cfg.NHeads, kv = cfg.KeyValueHeads, d = cfg.DHead, f = cfg.DMlp;
        string p = $"blocks.{l}.";
        // Every working tensor is a fresh float64 copy, so the steps below can work in place.
        Tensor Get(string name, params long[] shape) => weights.Get(p + name, shape).to(Work, copy: true);
        Tensor Bias(string name, params long[] shape) =>
            weights.Has(p + name) ? Get(name, shape) : zeros(shape, Work, device);

        var wQ = Get("attn.W_Q", h, m, d); var bQ = Bias("attn.b_Q", h, d);
        var wK = Get("attn.W_K", kv, m, d); var bK = Bias("attn.b_K", kv, d);
        var wV = Get("attn.W_V", kv, m, d); var bV = Bias("attn.b_V", kv, d);
        var wO = Get("attn.W_O", h, d, m); var bO = Bias("attn.b_O", m);
        var wIn = Get("mlp.W_in", m, f); var bIn = Bias("mlp.b_in", f);
        var wGate = cfg.GatedMlp ? Get("mlp.W_gate", m, f) : null;
        var wOut = Get("mlp.W_out", f, m); var bOut = Bias("mlp.b_out", m);

        if (fold)
        {
            var (scale1, shift1) = Norm(weights, p + "ln1", m, layerNorm);
            (wQ, bQ) = FoldNorm(wQ, bQ, scale1, shift1, axis: 1);
            (wK, bK) = FoldNorm(wK, bK, scale1, shift1, axis: 1);
            (wV, bV) = FoldNorm(wV, bV, scale1, shift1, axis: 1);
            var (scale2, shift2) = Norm(weights, p + "ln2", m, layerNorm);
            (wIn, bIn) = FoldNorm(wIn, bIn, scale2, shift2, axis: 0);
            if (wGate is not null)
            {
                if (shift2 is not null)
                    throw new NotSupportedException(
                        $"{p}ln2 has a bias, but a gated MLP has no gate bias to fold it into. Load with LoadOptions.FoldLayerNorm = false.");
                wGate.mul_(scale2.unsqueeze(1));
            }
            if (layerNorm)
            {
                // A LayerNorm's output has zero mean over d_model, so the mean of a reading weight over d_model never
                // contributes; removing it leaves outputs unchanged and the weights easier to compare.
                wQ = Center(wQ, 1); wK = Center(wK, 1); wV = Center(wV, 1);
                wIn = Center(wIn, 0);
                if (wGate is not null) wGate = Center(wGate, 0);
            }
        }
        if (centerWriting)
        {
            wO = Center(wO, 2); bO = Center(bO, 0);
            wOut = Center(wOut, 1); bOut = Center(bOut, 0);
        }
        if (foldValueBiases)
        {
            // Each pattern row sums to 1, so a value bias reaches the output as b_V W_O whatever the pattern.
            var perQueryHead = kv == h ? bV : bV.repeat_interleave(h / kv, 0); // [n_heads, d_head]
            bO = bO + einsum("hd,hdm->m", perQueryHead, wO);
            bV = zeros_like(bV);
        }

        var result = new List<(string, Tensor)>
        {
            (p + "attn.W_Q", wQ), (p + "attn.b_Q", bQ), (p + "attn.W_K", wK), (p + "attn.b_K", bK),
            (p + "attn.W_V", wV), (p + "attn.b_V", bV), (p + "attn.W_O", wO), (p + "attn.b_O", bO),
            (p + "mlp.W_in", wIn), (p + "mlp.b_in", bIn), (p + "mlp.W_out", wOut), (p + "mlp.b_out", bOut),
        };
        if (wGate is not null) result.Add((p + "mlp.W_gate", wGate));
        return result;
    }

    static List<(string Name, Tensor Value)> ProcessEnds(
        TransformerConfig cfg, Weights weights, Device device, bool fold, bool layerNorm, bool centerWriting, bool centerUnembed)
    {
        int m = cfg.DModel, v = cfg.DVocab;
        var result = new List<(string, Tensor)>();
        var wE = weights.Get("embed.W_E", v, m).to(Work, copy: true);
        result.Add(("embed.W_E", centerWriting ? Center(wE, 1) : wE));
        if (cfg.PositionalEmbedding == PositionalEmbeddingType.Standard)
        {
            var wPos = weights.Get("pos_embed.W_pos", cfg.NCtx, m).to(Work, copy: true);
            result.Add(("pos_embed.W_pos", centerWriting ? Center(wPos, 1) : wPos));
        }

        // Fresh float64 copies (W_U may be a view of W_E), which the steps below change in place.
        var wU = weights.Get("unembed.W_U", m, v).to(Work, copy: true);
        var bU = weights.Has("unembed.b_U") ? weights.Get("unembed.b_U", v).to(Work, copy: true) : zeros(v, Work, device);
        if (fold)
        {
            var (scale, shift) = Norm(weights, "ln_final", m, layerNorm);
            (wU, bU) = FoldNorm(wU, bU, scale, shift, axis: 0);
            if (layerNorm) wU = Center(wU, 0);
        }
        if (centerUnembed)
        {
            // Softmax ignores a constant added to every logit of a position.
            wU = Center(wU, 1);
            bU = Center(bU, 0);
        }
        result.Add(("unembed.W_U", wU));
        result.Add(("unembed.b_U", bU));
        return result;
    }

    /// <summary>A norm's scale and (LayerNorm only) bias, in the working precision.</summary>
    static (Tensor Scale, Tensor? Shift) Norm(Weights weights, string prefix, int dModel, bool layerNorm)
    {
        var scale = weights.Get(prefix + ".w", dModel).to(Work);
        var shift = layerNorm ? weights.Get(prefix + ".b", dModel).to(Work) : null;
        return (scale, shift);
    }

    /// <summary>
    /// Folds <c>y = (x̂ · scale + shift) W + b</c> into <c>y = x̂ W' + b'</c>: <c>W' = scale ⊙ W</c> along the
    /// d_model axis, <c>b' = b + shift W</c>. Changes <paramref name="weight"/> and <paramref name="bias"/> in place
    /// (both are the caller's working copies) and returns them.
    /// </summary>
    static (Tensor Weight, Tensor Bias) FoldNorm(Tensor weight, Tensor bias, Tensor scale, Tensor? shift, int axis)
    {
        var shape = Enumerable.Repeat(1L, (int)weight.dim()).ToArray();
        shape[axis] = -1;
        // shift · W along the d_model axis leaves W's other axes in order: the bias's shape.
        if (shift is not null) bias.add_(tensordot(shift, weight, [0], [axis]));
        return (weight.mul_(scale.view(shape)), bias);
    }

    /// <summary>Subtracts the mean along <paramref name="axis"/>, in place (a working copy), and returns the tensor.</summary>
    static Tensor Center(Tensor t, long axis) => t.sub_(t.mean([axis], keepdim: true));
}
