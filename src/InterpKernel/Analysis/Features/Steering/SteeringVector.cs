using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Steering directions from contrasting prompt sets: the mean activation over the positive prompts minus the mean over
/// the negative ones (the recipe behind the refusal direction), at one hook or at every layer.
/// </summary>
/// <example>
/// <code>
/// using var dir = SteeringVector.DiffOfMeans(model, ["The LORD is good"], ["The LORD is wroth"], "blocks.1.hook_resid_pre");
/// using (model.Steer("blocks.1.hook_resid_pre", dir, 3f)) Console.WriteLine(model.Generate("And the people", 10));
/// </code>
/// </example>
public static class SteeringVector
{
    /// <summary>Mean(positive) − mean(negative) of <paramref name="hookName"/>'s activation at <paramref name="position"/> (last token by default): <c>[d]</c> on the model's device.</summary>
    public static Tensor DiffOfMeans(HookedTransformer model, IReadOnlyList<string> positivePrompts, IReadOnlyList<string> negativePrompts,
        string hookName, TokenPositions? position = null, CollectionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hookName);
        using var perHook = DiffOfMeans(model, positivePrompts, negativePrompts, [hookName], position, options);
        return perHook[0].clone();
    }

    /// <summary>
    /// One direction per layer: row <c>l</c> of the result <c>[n_layers, d]</c> is the difference of means of
    /// <paramref name="activation"/> (a short name such as <c>resid_pre</c>) in layer <c>l</c>.
    /// </summary>
    public static Tensor DiffOfMeansPerLayer(HookedTransformer model, IReadOnlyList<string> positivePrompts, IReadOnlyList<string> negativePrompts,
        string activation = "resid_pre", TokenPositions? position = null, CollectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var hooks = Enumerable.Range(0, model.Config.NLayers).Select(l => HookNames.Of(activation, l)).ToArray();
        return DiffOfMeans(model, positivePrompts, negativePrompts, hooks, position, options);
    }

    static Tensor DiffOfMeans(HookedTransformer model, IReadOnlyList<string> positive, IReadOnlyList<string> negative, string[] hooks,
        TokenPositions? position, CollectionOptions? options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(positive);
        ArgumentNullException.ThrowIfNull(negative);
        if (positive.Count == 0 || negative.Count == 0)
            throw new ArgumentException($"Both prompt sets need prompts (got {positive.Count} positive and {negative.Count} negative).", nameof(positive));
        var prompts = positive.Concat(negative).ToArray();
        var labels = positive.Select(_ => 1f).Concat(negative.Select(_ => 0f)).ToArray();
        using var data = ActivationCollector.Collect(model, hooks, prompts, labels, position, options);
        using var scope = NewDisposeScope();
        var isPositive = data.Labels.eq(1f);
        if (!isPositive.any().item<bool>() || isPositive.all().item<bool>())
            throw new ArgumentException("The positions chosen select no token in one of the two prompt sets: check the position (e.g. the string to match).", nameof(position));
        var rows = hooks.Select(h =>
        {
            var x = data[h];
            return x[isPositive].mean([0]) - x[isPositive.logical_not()].mean([0]);
        }).ToArray();
        return stack(rows, 0).to(model.Dtype, model.Device).MoveToOuterDisposeScope(); // [hooks, d]
    }
}
