using static TorchSharp.torch;

namespace InterpKernel;

/// <summary>
/// Weights in TransformerLens's names and shapes (<c>blocks.0.attn.W_Q</c> <c>[n_heads, d_model, d_head]</c>),
/// the form every checkpoint family is converted to before a <see cref="HookedTransformer"/> is built.
/// </summary>
/// <remarks>
/// A layer's query, key and value weights may instead come fused, as the model stores them:
/// <c>attn.W_QKV [d_model, (n_heads + 2 n_kv_heads) d_head]</c> and <c>attn.b_QKV</c> (GPT-2's <c>c_attn</c> is
/// exactly that, so a mapped checkpoint needs no copy). <see cref="Get"/> then derives <c>W_Q</c>, <c>W_K</c>,
/// <c>W_V</c> and their biases as views. When both forms are present the separate ones are the truth (weight
/// processing writes those), and the fused one is ignored.
/// </remarks>
internal sealed class Weights
{
    readonly IReadOnlyDictionary<string, Tensor> _tensors;
    readonly string _source;

    public Weights(IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        _tensors = tensors;
        _source = source;
    }

    public bool Has(string name) => _tensors.ContainsKey(name) || FusedPart(name) is not null;

    /// <summary>Whether the layer's attention comes as one fused <c>W_QKV</c> and no separate <c>W_Q</c>.</summary>
    public bool HasFusedQkv(string attnPrefix) => !_tensors.ContainsKey(attnPrefix + "W_Q") && _tensors.ContainsKey(attnPrefix + "W_QKV");

    /// <summary>The tensor called <paramref name="name"/>, checked against the shape the config implies.</summary>
    public Tensor Get(string name, params long[] shape)
    {
        if (!_tensors.TryGetValue(name, out var t) && FusedPart(name) is { } part)
        {
            t = Part(part, shape) ?? throw new InvalidDataException(
                $"{_source}: the fused weight behind '{name}' has shape [{string.Join(", ", part.Fused.shape)}], which holds no block of shape " +
                $"[{string.Join(", ", shape)}]. The checkpoint does not fit the config; check that config.json belongs to these weights.");
        }
        if (t is null)
            throw new InvalidDataException(
                $"{_source}: the weight '{name}' is missing. The checkpoint does not fit the config; check that config.json belongs to these weights.");
        if (!t.shape.SequenceEqual(shape))
            throw new InvalidDataException(
                $"{_source}: the weight '{name}' has shape [{string.Join(", ", t.shape)}], but the config implies [{string.Join(", ", shape)}]. " +
                "The checkpoint does not fit the config; check that config.json belongs to these weights.");
        return t;
    }

    /// <summary>
    /// For a separate Q/K/V weight or bias that is absent while the layer's fused one is present: the fused tensor,
    /// which block (0 = Q, 1 = K, 2 = V) and whether it is a bias.
    /// </summary>
    (Tensor Fused, int Block, bool Bias)? FusedPart(string name)
    {
        int dot = name.LastIndexOf('.');
        string prefix = name[..(dot + 1)], leaf = name[(dot + 1)..];
        int block = leaf switch { "W_Q" or "b_Q" => 0, "W_K" or "b_K" => 1, "W_V" or "b_V" => 2, _ => -1 };
        if (block < 0 || _tensors.ContainsKey(prefix + "W_Q")) return null;
        bool bias = leaf[0] == 'b';
        return _tensors.TryGetValue(prefix + (bias ? "b_QKV" : "W_QKV"), out var fused) ? (fused, block, bias) : null;
    }

    /// <summary>
    /// The Q, K or V block of a fused weight <c>[d_model, (h + 2 kv) d_head]</c> as <c>[heads, d_model, d_head]</c>, or
    /// of a fused bias <c>[(h + 2 kv) d_head]</c> as <c>[heads, d_head]</c>, <paramref name="shape"/> giving heads and
    /// d_head. Q comes first, then K, then V, each head's d_head columns together.
    /// </summary>
    static Tensor? Part((Tensor Fused, int Block, bool Bias) part, long[] shape)
    {
        var (fused, block, bias) = part;
        long heads = shape.Length > 0 ? shape[0] : 0, dHead = shape.Length > 0 ? shape[^1] : 0;
        long width = fused.shape[^1], blockWidth = heads * dHead;
        // K and V have the same width and end the fused axis; Q is whatever precedes them.
        long start = block switch { 0 => 0, 1 => width - 2 * blockWidth, _ => width - blockWidth };
        if ((bias ? shape.Length != 2 || fused.dim() != 1 : shape.Length != 3 || fused.dim() != 2 || fused.shape[0] != shape[1])
            || start < 0 || start + blockWidth > width)
            return null;
        using var columns = fused.narrow(-1, start, blockWidth);
        if (bias) return columns.view(heads, dHead);
        using var split = columns.view(fused.shape[0], heads, dHead);
        return split.permute(1, 0, 2);
    }

    /// <summary>The tensor, or zeros of the given shape when the checkpoint has no such weight (bias-free models).</summary>
    public Tensor GetOrZeros(string name, ScalarType dtype, Device device, params long[] shape) =>
        Has(name) ? Get(name, shape) : zeros(shape, dtype, device);
}
