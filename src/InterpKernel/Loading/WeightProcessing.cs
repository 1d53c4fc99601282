using static TorchSharp.torch;

namespace InterpKernel.Loading;

/// <summary>
/// TransformerLens's weight processing, applied to the TransformerLens-named weights before a model is built:
/// fold the norms' learned scale and bias into the maps that read them, center what writes to the residual stream,
/// center the unembedding, and move value biases into the output bias. Every step leaves the next-token
/// distribution unchanged; docs/weight-processing.md says which hook values each one changes.
/// </summary>
/// <remarks>
/// Arithmetic runs in float64 one layer at a time (so at most one layer's float64 copy is alive), the embeddings and
/// the unembedding a block of rows at a time, and each result is cast to the model's dtype as soon as it is final.
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
        // A soft cap bends logits non-linearly, so a constant shift per position no longer leaves probabilities alone.
        bool centerUnembed = steps.CenterUnembed && cfg.OutputLogitSoftcap is null;
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
            foreach (var (name, t) in ProcessEnds(cfg, weights, device, dtype, fold, layerNorm, centerWriting, centerUnembed))
                output[name] = t.MoveToOuterDisposeScope();
        }

        var normalization = !fold ? cfg.Normalization
            : layerNorm ? NormalizationType.LayerNormPre : NormalizationType.RmsNormPre;
        // What the steps did not touch is kept in the model's dtype: the norms' weights unless folded (post-norms and q/k
        // norms never are: nothing linear follows them), routers and experts. Fused Q/K/V weights were read through their
        // W_Q/W_K/W_V views, which the output now holds processed.
        foreach (var (name, t) in raw)
            if (!output.ContainsKey(name) && !name.EndsWith("_QKV", StringComparison.Ordinal) && !(fold && IsFoldedNorm(name)))
                output[name] = t.to(dtype);
        return (cfg with { Normalization = normalization }, output);
    }

    static bool IsFoldedNorm(string name) =>
        name is "ln_final.w" or "ln_final.b"
        || (name.StartsWith("blocks.", StringComparison.Ordinal)
            && (name.EndsWith(".ln1.w", StringComparison.Ordinal) || name.EndsWith(".ln1.b", StringComparison.Ordinal)
                || name.EndsWith(".ln2.w", StringComparison.Ordinal) || name.EndsWith(".ln2.b", StringComparison.Ordinal)));

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
        // Mixtral: the router and every expert read ln2's output as a dense MLP would; there are no biases to fold into.
        var readers = new List<(string Name, Tensor Value)>();
        var writers = new List<(string Name, Tensor Value)>();
        Tensor? wIn = null, bIn = null, wGate = null, bGate = null, wOut = null, bOut = null;
        if (cfg.IsMixtureOfExperts)
        {
            readers.Add(("mlp.W_router", Get("mlp.W_router", m, cfg.NExperts)));
            for (int e = 0; e < cfg.NExperts; e++)
            {
                string x = $"mlp.experts.{e}.";
                readers.Add((x + "W_gate", Get(x + "W_gate", m, f)));
                readers.Add((x + "W_in", Get(x + "W_in", m, f)));
                writers.Add((x + "W_out", Get(x + "W_out", f, m)));
            }
        }
        else
        {
            wIn = Get("mlp.W_in", m, f); bIn = Bias("mlp.b_in", f);
            wGate = cfg.GatedMlp ? Get("mlp.W_gate", m, f) : null;
            bGate = cfg.GatedMlp && weights.Has(p + "mlp.b_gate") ? Get("mlp.b_gate", f) : null;
            wOut = Get("mlp.W_out", f, m); bOut = Bias("mlp.b_out", m);
        }

        // Without pre-norms (OLMo-2) nothing reads a normalised stream through a linear map: nothing to fold.
        if (fold && cfg.PreNorms)
        {
            var (scale1, shift1) = Norm(weights, p + "ln1", m, layerNorm);
            (wQ, bQ) = FoldNorm(wQ, bQ, scale1, shift1, axis: 1);
            (wK, bK) = FoldNorm(wK, bK, scale1, shift1, axis: 1);
            (wV, bV) = FoldNorm(wV, bV, scale1, shift1, axis: 1);
            var (scale2, shift2) = Norm(weights, p + "ln2", m, layerNorm);
            if (wIn is not null) (wIn, bIn) = FoldNorm(wIn, bIn!, scale2, shift2, axis: 0);
            if (wGate is not null)
            {
                // A LayerNorm bias before a gated MLP (StableLM) becomes a gate bias.
                if (shift2 is not null) bGate = (bGate ?? zeros(f, Work, device)).add_(shift2.matmul(wGate));
                wGate.mul_(scale2.unsqueeze(1));
            }
            if (readers.Count > 0 && shift2 is not null)
                throw new NotSupportedException($"{p}ln2 has a bias, but the experts have none to fold it into. Load with LoadOptions.FoldLayerNorm = false.");
            foreach (var (_, r) in readers) r.mul_(scale2.unsqueeze(1));
            if (layerNorm)
            {
                // A LayerNorm's output has zero mean over d_model, so the mean of a reading weight over d_model never
                // contributes; removing it leaves outputs unchanged and the weights easier to compare.
                wQ = Center(wQ, 1); wK = Center(wK, 1); wV = Center(wV, 1);
                if (wIn is not null) wIn = Center(wIn, 0);
                if (wGate is not null) wGate = Center(wGate, 0);
                foreach (var (_, r) in readers) Center(r, 0);
            }
        }
        if (centerWriting)
        {
            wO = Center(wO, 2); bO = Center(bO, 0);
            if (wOut is not null) { wOut = Center(wOut, 1); bOut = Center(bOut!, 0); }
            foreach (var (_, w) in writers) Center(w, 1);
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
        };
        if (wIn is not null) result.AddRange([(p + "mlp.W_in", wIn), (p + "mlp.b_in", bIn!), (p + "mlp.W_out", wOut!), (p + "mlp.b_out", bOut!)]);
        if (wGate is not null) result.Add((p + "mlp.W_gate", wGate));
        if (bGate is not null) result.Add((p + "mlp.b_gate", bGate));
        result.AddRange(readers.Concat(writers).Select(x => (p + x.Name, x.Value)));
        return result;
    }

    /// <summary>
    /// The embeddings and the unembedding, processed and cast to <paramref name="dtype"/>. These are most of a small
    /// model's parameters, so they are processed a block of rows at a time: a float64 copy of the whole matrix would
    /// cost more in fresh memory than the arithmetic does.
    /// </summary>
    static List<(string Name, Tensor Value)> ProcessEnds(
        TransformerConfig cfg, Weights weights, Device device, ScalarType dtype, bool fold, bool layerNorm, bool centerWriting, bool centerUnembed)
    {
        int m = cfg.DModel, v = cfg.DVocab;
        var result = new List<(string, Tensor)>();
        Tensor Writer(Tensor t) => centerWriting ? Center(t, 1) : t;
        result.Add(("embed.W_E", ByRows(weights.Get("embed.W_E", v, m), dtype, Writer)));
        if (cfg.PositionalEmbedding == PositionalEmbeddingType.Standard)
            result.Add(("pos_embed.W_pos", ByRows(weights.Get("pos_embed.W_pos", cfg.NCtx, m), dtype, Writer)));

        // W_U [d_model, d_vocab] is handled as its transpose, one row per vocabulary entry (contiguous for tied and
        // untied checkpoints alike, since both store [d_vocab, d_model]); the result is again W_U as a transposed view.
        using var wUT = weights.Get("unembed.W_U", m, v).t();
        var bU = weights.Has("unembed.b_U") ? weights.Get("unembed.b_U", v).to(Work, copy: true) : zeros(v, Work, device);
        Tensor? scale = null, shift = null;
        if (fold) (scale, shift) = Norm(weights, "ln_final", m, layerNorm);
        // Row r of W_Uᵀ is the unembedding of token r: folding scales its entries by the norm's scale, adds shift · row
        // to b_U[r] (once: foldBias), and (LayerNorm) centres it over d_model.
        Tensor Folded(Tensor rows, long start, bool foldBias)
        {
            if (scale is null) return rows;
            if (shift is not null && foldBias) bU.narrow(0, start, rows.shape[0]).add_(rows.matmul(shift));
            rows.mul_(scale);
            return layerNorm ? Center(rows, 1) : rows;
        }
        Tensor uT;
        if (centerUnembed)
        {
            // Softmax ignores a constant added to every logit of a position: W_U loses its mean over d_vocab, i.e. the
            // mean row of W_Uᵀ, which needs every folded row first. The second pass folds again rather than keep a copy.
            var sum = zeros(m, Work, device);
            ByRows(wUT, null, (rows, start) => sum.add_(Folded(rows, start, foldBias: true).sum([0])));
            bU.sub_(bU.mean());
            var mean = sum.div_(v);
            uT = ByRows(wUT, dtype, (rows, start) => Folded(rows, start, foldBias: false).sub_(mean))!;
        }
        else
        {
            uT = ByRows(wUT, dtype, (rows, start) => Folded(rows, start, foldBias: true))!;
        }
        result.Add(("unembed.W_U", uT.t()));
        result.Add(("unembed.b_U", bU.to(dtype)));
        return result;
    }

    const long ChunkBytes = 4L << 20;

    static Tensor ByRows(Tensor source, ScalarType dtype, Func<Tensor, Tensor> step) =>
        ByRows(source, dtype, (rows, _) => step(rows))!;

    /// <summary>
    /// Applies <paramref name="step"/> to float64 copies of consecutive blocks of rows of <paramref name="source"/>
    /// (with the first row's index) and, when <paramref name="dtype"/> is given, writes what it returns into a new
    /// tensor of that dtype.
    /// </summary>
    static Tensor? ByRows(Tensor source, ScalarType? dtype, Func<Tensor, long, Tensor> step)
    {
        long rows = source.shape[0], perRow = Math.Max(1, source.numel() / Math.Max(1, rows));
        long chunk = Math.Max(1, ChunkBytes / (perRow * sizeof(double)));
        var result = dtype is { } dt ? empty(source.shape, dt, source.device) : null;
        for (long start = 0; start < rows; start += chunk)
        {
            using var scope = NewDisposeScope();
            long length = Math.Min(chunk, rows - start);
            var done = step(source.narrow(0, start, length).to(Work, copy: true), start);
            result?.narrow(0, start, length).copy_(done);
        }
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
