using static TorchSharp.torch;

namespace InterpKernel;

public sealed partial class HookedTransformer
{
    /// <summary>
    /// Runs a forward pass and one backward pass of the scalar <paramref name="metric"/> of the logits, and returns the
    /// metric and its gradient with respect to the activation at every hook whose name passes
    /// <paramref name="namesFilter"/> (all of <see cref="HookNames"/> by default), as a cache keyed by hook name with the
    /// activations' shapes. The cache owns its tensors: dispose it.
    /// </summary>
    /// <example>
    /// <code>
    /// var (value, grads) = model.RunWithGradients(tokens, logits => logits[0, -1, isaac] - logits[0, -1, jacob],
    ///     n => n.EndsWith("hook_resid_pre"));
    /// using (value) using (grads) Console.WriteLine(grads["resid_pre", 1].norm());
    /// </code>
    /// </example>
    public (Tensor Metric, ActivationCache Gradients) RunWithGradients(Tensor tokens, Func<Tensor, Tensor> metric, Func<string, bool>? namesFilter = null)
    {
        var (value, gradients, _) = GradientPass(tokens, metric, namesFilter, keepActivations: false);
        return (value, gradients);
    }

    /// <summary>
    /// Runs a forward pass with forward <paramref name="hooks"/> and backward <paramref name="backwardHooks"/> attached.
    /// The returned logits carry the autograd graph: call <c>backward()</c> on a scalar computed from them, and each
    /// backward hook sees (and may replace) the gradient with respect to its activation. Both kinds of hook are removed
    /// when this returns; the backward hooks stay in the graph of this pass only.
    /// </summary>
    /// <example>
    /// <code>
    /// Tensor? g = null;
    /// using var logits = model.RunWithHooks(tokens, [], backwardHooks: [("blocks.0.hook_resid_post", (grad, _) => { g = grad.clone(); return null; })]);
    /// logits[0, -1, isaac].backward();
    /// </code>
    /// </example>
    public Tensor RunWithHooks(Tensor tokens, IReadOnlyList<(string Name, HookFunction Hook)> hooks,
                               IReadOnlyList<(string Name, HookFunction Hook)> backwardHooks)
    {
        ArgumentNullException.ThrowIfNull(hooks);
        ArgumentNullException.ThrowIfNull(backwardHooks);
        var points = backwardHooks.Select(h => (Point: GetHookPoint(h.Name), h.Hook)).ToList(); // validate all first
        var handles = new List<IDisposable>(points.Count);
        try
        {
            foreach (var (point, hook) in points)
            {
                ArgumentNullException.ThrowIfNull(hook, nameof(backwardHooks));
                handles.Add(point.AddBackward(hook));
            }
            using (Hooks(hooks.ToArray()))
            using (enable_grad())
                return Forward(tokens);
        }
        finally
        {
            foreach (var h in handles) h.Dispose();
        }
    }

    /// <summary>
    /// The forward and backward pass behind <see cref="RunWithGradients"/>: a zero that requires a gradient is added at
    /// each selected hook, so one backward pass gives the gradient with respect to every activation while the graph
    /// stays whole. With <paramref name="keepActivations"/>, the activations are cached too.
    /// </summary>
    internal (Tensor Metric, ActivationCache Gradients, ActivationCache? Activations) GradientPass(
        Tensor tokens, Func<Tensor, Tensor> metric, Func<string, bool>? namesFilter, bool keepActivations)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var names = _hookNames.Where(n => namesFilter?.Invoke(n) ?? true).ToArray();
        if (names.Length == 0)
            throw new ArgumentException("the names filter matches no hook of this model: see HookNames for the names there are.", nameof(namesFilter));
        var gradients = new ActivationCache(this);
        var activations = keepActivations ? new ActivationCache(this) : null;
        try
        {
            using var scope = NewDisposeScope();
            using var grad = enable_grad();
            var probes = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            HookFunction probe = (a, h) =>
            {
                activations?.StoreHook(a, h);
                var zero = zeros_like(a).requires_grad_(true); // its gradient is the metric's gradient with respect to a
                probes[h.Name] = zero;
                return a + zero;
            };
            Tensor logits;
            using (Hooks(names.Select(n => (n, probe)).ToArray()))
                logits = Forward(tokens);
            var value = metric(logits);
            if (value.numel() != 1)
                throw new ArgumentException(
                    $"the metric must return a scalar, but returned shape [{string.Join(", ", value.shape)}]: reduce it (e.g. .mean() or .sum()).", nameof(metric));
            if (!value.requires_grad)
                throw new ArgumentException("the metric does not depend on the logits it was given: compute it from them.", nameof(metric));
            var fired = names.Where(probes.ContainsKey).ToList();
            var grads = autograd.grad([value], fired.Select(n => probes[n]).ToList(), allow_unused: true);
            for (int i = 0; i < fired.Count; i++)
            {
                var g = grads[i] is { IsInvalid: false } t ? t : zeros_like(probes[fired[i]]);
                gradients.StoreHook(g, GetHookPoint(fired[i]));
            }
            return (value.detach().reshape([]).MoveToOuterDisposeScope(), gradients, activations);
        }
        catch
        {
            gradients.Dispose();
            activations?.Dispose();
            throw;
        }
    }
}
