using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// An edit of one transcoder feature in a <see cref="ReplacementModel"/>: its activation at one position is set to
/// <see cref="Value"/> or, with <see cref="IsScale"/>, multiplied by it.
/// </summary>
/// <param name="Layer">The layer of the transcoder.</param>
/// <param name="Position">The prompt position.</param>
/// <param name="Feature">The feature index.</param>
/// <param name="Value">The new activation, or the factor when <paramref name="IsScale"/>.</param>
/// <param name="IsScale">Whether <paramref name="Value"/> scales the activation instead of replacing it.</param>
public readonly record struct FeatureIntervention(int Layer, int Position, int Feature, double Value, bool IsScale = false)
{
    /// <summary>Sets feature <paramref name="feature"/> of <paramref name="layer"/> at <paramref name="position"/> to <paramref name="value"/>.</summary>
    public static FeatureIntervention Set(int layer, int position, int feature, double value) => new(layer, position, feature, value);

    /// <summary>Multiplies feature <paramref name="feature"/> of <paramref name="layer"/> at <paramref name="position"/> by <paramref name="factor"/>.</summary>
    public static FeatureIntervention Scale(int layer, int position, int feature, double factor) => new(layer, position, feature, factor, IsScale: true);

    /// <summary>Sets the feature of <paramref name="node"/> (a feature node of an <see cref="AttributionGraph"/>) to <paramref name="value"/>.</summary>
    public static FeatureIntervention Set(AttributionNode node, double value)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Kind != AttributionNodeKind.Feature)
            throw new ArgumentException($"{node} is not a feature node: only transcoder features can be set.", nameof(node));
        return new(node.Layer, node.Position, node.Feature, value);
    }

    /// <summary>Applies the edit in place to activations <c>[batch, pos, d_transcoder]</c>.</summary>
    internal void Apply(Tensor activations)
    {
        var slot = activations[TensorIndex.Colon, Position, Feature];
        if (IsScale) slot.mul_(Value);
        else slot.fill_(Value);
    }
}
