using Microsoft.Data.Analysis;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// An MLP neuron's direct effect on the logits, <c>W_out[n] · W_U</c>: the tokens it promotes and suppresses when it
/// fires (through the residual stream straight to the unembedding, ignoring later layers and the final LayerNorm).
/// </summary>
public static class NeuronLogits
{
    /// <summary>The direct logit effect <c>[d_vocab]</c> (float32) of neuron <paramref name="neuron"/> in <paramref name="layer"/>.</summary>
    public static Tensor DirectEffect(HookedTransformer model, int layer, int neuron)
    {
        var wOut = OutputWeights(model, layer, neuron);
        using var scope = NewDisposeScope();
        return wOut.matmul(model.W_U.to(ScalarType.Float32)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The <paramref name="k"/> most promoted and most suppressed tokens as a table: <c>effect</c>
    /// (<c>promoted</c>/<c>suppressed</c>), <c>rank</c>, <c>token</c>, <c>token_id</c>, <c>logit</c>.
    /// </summary>
    public static DataFrame TopTokens(HookedTransformer model, int layer, int neuron, int k = 10)
    {
        if (k < 1) throw new ArgumentException($"k must be at least 1, got {k}.", nameof(k));
        using var scope = NewDisposeScope();
        var effect = DirectEffect(model, layer, neuron);
        int n = (int)Math.Min(k, effect.shape[0]);
        var kinds = new List<string>();
        var ranks = new List<int>();
        var ids = new List<int>();
        var values = new List<float>();
        foreach (var (name, sign) in new[] { ("promoted", 1f), ("suppressed", -1f) })
        {
            var (v, i) = (effect * sign).topk(n);
            var vs = v.data<float>().ToArray();
            var its = i.data<long>().ToArray();
            for (int r = 0; r < n; r++)
            {
                kinds.Add(name); ranks.Add(r); ids.Add((int)its[r]); values.Add(vs[r] * sign);
            }
        }
        return new DataFrame(
            new StringDataFrameColumn("effect", kinds), new PrimitiveDataFrameColumn<int>("rank", ranks),
            new StringDataFrameColumn("token", ids.Select(id => TokenText.Of(model, id))),
            new PrimitiveDataFrameColumn<int>("token_id", ids), new PrimitiveDataFrameColumn<float>("logit", values));
    }

    internal static Tensor OutputWeights(HookedTransformer model, int layer, int neuron)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (layer < 0 || layer >= model.Config.NLayers)
            throw new ArgumentOutOfRangeException(nameof(layer), layer,
                $"layer {layer} does not exist: the model has {model.Config.NLayers} layers (0 to {model.Config.NLayers - 1}).");
        if (neuron < 0 || neuron >= model.Config.DMlp)
            throw new ArgumentOutOfRangeException(nameof(neuron), neuron,
                $"neuron {neuron} does not exist: each MLP has {model.Config.DMlp} neurons (0 to {model.Config.DMlp - 1}).");
        using var scope = NewDisposeScope();
        return model.Blocks[layer].Mlp.WOut[neuron].to(ScalarType.Float32).MoveToOuterDisposeScope();
    }
}
