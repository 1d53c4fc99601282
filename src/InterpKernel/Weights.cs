using static TorchSharp.torch;

namespace InterpKernel;

/// <summary>
/// Weights in TransformerLens's names and shapes (<c>blocks.0.attn.W_Q</c> <c>[n_heads, d_model, d_head]</c>),
/// the form every checkpoint family is converted to before a <see cref="HookedTransformer"/> is built.
/// </summary>
internal sealed class Weights
{
    readonly IReadOnlyDictionary<string, Tensor> _tensors;
    readonly string _source;

    public Weights(IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        _tensors = tensors;
        _source = source;
    }

    public bool Has(string name) => _tensors.ContainsKey(name);

    /// <summary>The tensor called <paramref name="name"/>, checked against the shape the config implies.</summary>
    public Tensor Get(string name, params long[] shape)
    {
        if (!_tensors.TryGetValue(name, out var t))
            throw new InvalidDataException(
                $"{_source}: the weight '{name}' is missing. The checkpoint does not fit the config; check that config.json belongs to these weights.");
        if (!t.shape.SequenceEqual(shape))
            throw new InvalidDataException(
                $"{_source}: the weight '{name}' has shape [{string.Join(", ", t.shape)}], but the config implies [{string.Join(", ", shape)}]. " +
                "The checkpoint does not fit the config; check that config.json belongs to these weights.");
        return t;
    }

    /// <summary>The tensor, or zeros of the given shape when the checkpoint has no such weight (bias-free models).</summary>
    public Tensor GetOrZeros(string name, ScalarType dtype, Device device, params long[] shape) =>
        Has(name) ? Get(name, shape) : zeros(shape, dtype, device);
}
