using Microsoft.Data.Analysis;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Entropy and token-frequency neurons in the last layer (the confidence-regulation study): per neuron, the norm of
/// its output weights, the fraction of that output lying in the effective null space of <c>W_U</c>, and what
/// mean-ablating it does to the final LayerNorm scale and to the next-token entropy; and its cosine with a unigram
/// direction.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Null space: the <c>nullSpaceDims</c> left singular vectors of <c>W_U [d_model, d_vocab]</c> with the smallest
/// singular values; the fraction is <c>‖U_nullᵀ w‖² / ‖w‖²</c> for <c>w = W_out[n]</c>. An entropy neuron writes a
/// large norm mostly there: it barely moves the logits directly but changes the LayerNorm scale, and so the
/// temperature of every logit.</item>
/// <item>Ablation: the neuron is set to its mean over the given tokens. Being in the last layer, the change to the
/// final residual stream is exactly <c>(mean − a) · W_out[n]</c>, so the effect is computed from one cached forward
/// pass instead of one pass per neuron. Changes are averaged over all positions after the first; positive means
/// ablation raised the value.</item>
/// <item>Unigram cosine: between the neuron's direct logit effect <c>W_out[n] W_U</c> (centred over the vocabulary)
/// and a <see cref="UnigramDirection"/>.</item>
/// </list>
/// </remarks>
/// <example>
/// <code>
/// using var tokens = model.ToTokens(new[] { "And God said, Let there be light", "In the beginning God created" });
/// DataFrame table = EntropyNeurons.Analyze(model, tokens, neurons: new[] { 3, 17, 250 });
/// </code>
/// </example>
public static class EntropyNeurons
{
    /// <summary>
    /// One row per neuron of the last layer (all of them unless <paramref name="neurons"/> picks some):
    /// <c>neuron</c>, <c>w_out_norm</c>, <c>null_space_fraction</c>, <c>ln_scale_change</c>, <c>entropy_change</c>.
    /// Ablation costs one <c>[tokens, d_vocab]</c> unembedding per neuron: pick neurons for large vocabularies.
    /// </summary>
    public static DataFrame Analyze(HookedTransformer model, Tensor tokens, IReadOnlyList<int>? neurons = null, int nullSpaceDims = 10)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokens);
        int last = model.Config.NLayers - 1;
        var chosen = Neurons(model, neurons);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var wOut = model.Blocks[last].Mlp.WOut.to(ScalarType.Float32); // [d_mlp, d_model]
        var norms = wOut.square().sum([1]).sqrt().data<float>().ToArray();
        var fractions = NullSpaceFraction(model.W_U, wOut, nullSpaceDims).data<float>().ToArray();

        string postName = HookNames.Of("post", last), residName = HookNames.Of("resid_post", last);
        var (logits, cache) = model.RunWithCache(tokens, n => n == postName || n == residName);
        using var cached = cache;
        logits.Dispose();
        var post = cache[postName].to(ScalarType.Float32)[.., 1..].reshape(-1, model.Config.DMlp); // [tokens, d_mlp]
        var resid = cache[residName].to(ScalarType.Float32)[.., 1..].reshape(-1, model.Config.DModel); // [tokens, d_model]
        if (resid.shape[0] == 0) throw new ArgumentException("tokens must have at least 2 positions: the first is not scored.", nameof(tokens));
        var mean = post.mean([0]);
        var (baseScale, baseEntropy) = ScaleAndEntropy(model, resid);
        var scaleChange = new float[chosen.Length];
        var entropyChange = new float[chosen.Length];
        for (int i = 0; i < chosen.Length; i++)
        {
            using var inner = NewDisposeScope();
            int n = chosen[i];
            var delta = (mean[n] - post[.., n]).unsqueeze(1) * wOut[n].unsqueeze(0); // [tokens, d_model]
            var (scale, entropy) = ScaleAndEntropy(model, resid + delta);
            scaleChange[i] = (scale - baseScale).mean().item<float>();
            entropyChange[i] = (entropy - baseEntropy).mean().item<float>();
        }
        return new DataFrame(
            new PrimitiveDataFrameColumn<int>("neuron", chosen),
            new PrimitiveDataFrameColumn<float>("w_out_norm", chosen.Select(n => norms[n])),
            new PrimitiveDataFrameColumn<float>("null_space_fraction", chosen.Select(n => fractions[n])),
            new PrimitiveDataFrameColumn<float>("ln_scale_change", scaleChange),
            new PrimitiveDataFrameColumn<float>("entropy_change", entropyChange));
    }

    /// <summary>
    /// The fraction <c>[rows]</c> of each row of <paramref name="writes"/> <c>[rows, d_model]</c> that lies in the span of
    /// the <paramref name="nullSpaceDims"/> left singular vectors of <paramref name="unembed"/> <c>[d_model, d_vocab]</c>
    /// with the smallest singular values.
    /// </summary>
    public static Tensor NullSpaceFraction(Tensor unembed, Tensor writes, int nullSpaceDims = 10)
    {
        ArgumentNullException.ThrowIfNull(unembed);
        ArgumentNullException.ThrowIfNull(writes);
        if (nullSpaceDims < 1 || nullSpaceDims > unembed.shape[0])
            throw new ArgumentException($"nullSpaceDims must be 1 to d_model = {unembed.shape[0]}, got {nullSpaceDims}.", nameof(nullSpaceDims));
        if (writes.dim() != 2 || writes.shape[1] != unembed.shape[0])
            throw new ArgumentException($"writes must be [rows, {unembed.shape[0]}], but has shape [{string.Join(", ", writes.shape)}].", nameof(writes));
        using var scope = NewDisposeScope();
        var (u, _, _) = linalg.svd(unembed.to(ScalarType.Float32), fullMatrices: false); // singular values descending
        var bottom = u[.., ^nullSpaceDims..];                                          // [d_model, k]
        var w = writes.to(ScalarType.Float32, bottom.device);
        var inNull = w.matmul(bottom).square().sum([1]);
        return (inNull / w.square().sum([1])).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>Cosine <c>[d_mlp]</c> of each last-layer neuron's centred direct logit effect with <paramref name="unigram"/> <c>[d_vocab]</c>.</summary>
    public static Tensor UnigramCosines(HookedTransformer model, Tensor unigram)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(unigram);
        if (unigram.dim() != 1 || unigram.shape[0] != model.Config.DVocab)
            throw new ArgumentException($"unigram must be [d_vocab = {model.Config.DVocab}], but has shape [{string.Join(", ", unigram.shape)}].", nameof(unigram));
        using var scope = NewDisposeScope();
        var wOut = model.Blocks[^1].Mlp.WOut.to(ScalarType.Float32);
        var effect = wOut.matmul(model.W_U.to(ScalarType.Float32));           // [d_mlp, d_vocab]
        effect = effect - effect.mean([1], keepdim: true);
        var dir = unigram.to(ScalarType.Float32, effect.device);
        dir = dir - dir.mean();
        return nn.functional.cosine_similarity(effect, dir.unsqueeze(0), 1).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>The unigram cosines as a table (<c>neuron</c>, <c>unigram_cosine</c>), largest magnitude first.</summary>
    public static DataFrame UnigramTable(HookedTransformer model, Tensor unigram)
    {
        using var cos = UnigramCosines(model, unigram);
        var v = cos.data<float>().ToArray();
        var order = Enumerable.Range(0, v.Length).OrderByDescending(i => Math.Abs(v[i])).ToArray();
        return new DataFrame(new PrimitiveDataFrameColumn<int>("neuron", order), new PrimitiveDataFrameColumn<float>("unigram_cosine", order.Select(i => v[i])));
    }

    /// <summary>Final LayerNorm scale and next-token entropy (nats) per row of a final residual stream <c>[tokens, d_model]</c>.</summary>
    static (Tensor Scale, Tensor Entropy) ScaleAndEntropy(HookedTransformer model, Tensor resid)
    {
        Tensor? scale = null;
        var x = resid.unsqueeze(0).to(model.Dtype);
        Tensor logits;
        // The normalisation reports its own scale through its hook, so LayerNorm and RMSNorm are both measured as they run.
        using (model.Hooks(("ln_final.hook_scale", (s, _) => { scale = s.reshape(-1).to(ScalarType.Float32); return null; })))
            logits = model.Unembed.call(model.LnFinal.call(x))[0].to(ScalarType.Float32); // [tokens, d_vocab]
        var logProbs = logits.log_softmax(-1);
        var entropy = -(logProbs.exp() * logProbs).sum(-1);
        return (scale ?? throw new InvalidOperationException("The final normalisation has no scale (folded LayerNorm without hook_scale)."), entropy);
    }

    static int[] Neurons(HookedTransformer model, IReadOnlyList<int>? neurons)
    {
        if (neurons is null) return Enumerable.Range(0, model.Config.DMlp).ToArray();
        foreach (int n in neurons)
            if (n < 0 || n >= model.Config.DMlp)
                throw new ArgumentOutOfRangeException(nameof(neurons), n, $"neuron {n} does not exist: the last MLP has {model.Config.DMlp} neurons.");
        return neurons.ToArray();
    }
}
