using Microsoft.Data.Analysis;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Correlations between every MLP neuron of model A and every MLP neuron of model B over the same tokens. Neurons
/// are numbered layer-major: neuron <c>n</c> of layer <c>l</c> is row (or column) <c>l · d_mlp + n</c>. Owns
/// <see cref="Correlations"/>: dispose it.
/// </summary>
public sealed class NeuronCorrelation : IDisposable
{
    internal NeuronCorrelation(Tensor correlations, int dMlpA, int dMlpB, long tokens)
    {
        Correlations = correlations;
        DMlpA = dMlpA;
        DMlpB = dMlpB;
        Tokens = tokens;
    }

    /// <summary>Pearson correlations <c>[n_layers_A · d_mlp_A, n_layers_B · d_mlp_B]</c> (float32, CPU).</summary>
    public Tensor Correlations { get; }

    /// <summary>Neurons per layer in model A.</summary>
    public int DMlpA { get; }

    /// <summary>Neurons per layer in model B.</summary>
    public int DMlpB { get; }

    /// <summary>Tokens the correlations were computed over.</summary>
    public long Tokens { get; }

    /// <summary>
    /// Each neuron of A with its best match in B (largest correlation): <c>layer</c>, <c>neuron</c>,
    /// <c>match_layer</c>, <c>match_neuron</c>, <c>correlation</c>, sorted by correlation, largest first.
    /// </summary>
    public DataFrame BestMatches()
    {
        using var scope = NewDisposeScope();
        var (values, indices) = Correlations.max(1);
        var v = values.data<float>().ToArray();
        var idx = indices.data<long>().ToArray();
        var order = Enumerable.Range(0, v.Length).OrderByDescending(i => v[i]).ToArray();
        return new DataFrame(
            new PrimitiveDataFrameColumn<int>("layer", order.Select(i => i / DMlpA)),
            new PrimitiveDataFrameColumn<int>("neuron", order.Select(i => i % DMlpA)),
            new PrimitiveDataFrameColumn<int>("match_layer", order.Select(i => (int)(idx[i] / DMlpB))),
            new PrimitiveDataFrameColumn<int>("match_neuron", order.Select(i => (int)(idx[i] % DMlpB))),
            new PrimitiveDataFrameColumn<float>("correlation", order.Select(i => v[i])));
    }

    /// <inheritdoc />
    public void Dispose() => Correlations.Dispose();
}
