using static TorchSharp.torch;

namespace InterpKernel;

public sealed partial class HookedTransformer
{
    /// <summary>
    /// Attaches hooks until the returned scope is disposed. Names are full hook names
    /// (<c>blocks.0.attn.hook_pattern</c>); an unknown name throws before anything is attached.
    /// </summary>
    /// <example>
    /// <code>
    /// using (model.Hooks(("blocks.1.attn.hook_pattern", (p, h) => { Console.WriteLine(p.shape); return null; })))
    ///     model.Forward(tokens).Dispose();
    /// </code>
    /// </example>
    public IDisposable Hooks(params (string Name, HookFunction Hook)[] hooks)
    {
        ArgumentNullException.ThrowIfNull(hooks);
        var points = hooks.Select(h => (Point: GetHookPoint(h.Name), h.Hook)).ToList(); // validate all first
        var handles = new List<IDisposable>(points.Count);
        foreach (var (point, hook) in points)
        {
            ArgumentNullException.ThrowIfNull(hook, nameof(hooks));
            handles.Add(point.Add(hook));
        }
        return new HookScope(handles);
    }

    /// <summary>Attaches one hook to every hook in <see cref="HookNames"/> whose name passes <paramref name="filter"/>, until disposed.</summary>
    public IDisposable Hooks(Func<string, bool> filter, HookFunction hook)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return Hooks(_hookNames.Where(filter).Select(n => (n, hook)).ToArray());
    }

    /// <summary>Runs a forward pass with temporary hooks; they are removed afterwards, also when the forward throws.</summary>
    /// <example>
    /// <code>
    /// // Zero-ablate head 3 of layer 1.
    /// using var logits = model.RunWithHooks(tokens, ("blocks.1.attn.hook_z", (z, _) => { z[.., .., 3] = 0; return z; }));
    /// </code>
    /// </example>
    public Tensor RunWithHooks(Tensor tokens, params (string Name, HookFunction Hook)[] hooks)
    {
        using (Hooks(hooks)) return Forward(tokens);
    }

    /// <summary>
    /// Runs a forward pass and caches every activation whose hook name passes <paramref name="namesFilter"/>
    /// (all of <see cref="HookNames"/> by default). The cache owns its tensors: dispose it.
    /// </summary>
    /// <example>
    /// <code>
    /// var (logits, cache) = model.RunWithCache(tokens, n => n.EndsWith("hook_pattern"));
    /// using (logits) using (cache) Console.WriteLine(cache["pattern", 0].shape);
    /// </code>
    /// </example>
    public (Tensor Logits, ActivationCache Cache) RunWithCache(Tensor tokens, Func<string, bool>? namesFilter = null,
        int? startAtLayer = null, int? stopAtLayer = null, Tensor? attentionMask = null)
    {
        var cache = new ActivationCache(this);
        try
        {
            var names = _hookNames.Where(n => namesFilter?.Invoke(n) ?? true).ToArray();
            using (Hooks(names.Select(n => (n, (HookFunction)cache.StoreHook)).ToArray()))
            {
                var logits = ForwardCore(tokens, null, startAtLayer, stopAtLayer, attentionMask);
                return (logits, cache);
            }
        }
        catch
        {
            cache.Dispose();
            throw;
        }
    }

    /// <summary>Caches only the activation called <paramref name="name"/> (a full hook name, as a string names filter in TransformerLens).</summary>
    /// <example><code>var (logits, cache) = model.RunWithCache(tokens, "blocks.0.attn.hook_pattern");</code></example>
    public (Tensor Logits, ActivationCache Cache) RunWithCache(Tensor tokens, string name, int? startAtLayer = null, int? stopAtLayer = null) =>
        RunWithCache(tokens, NameFilter(name), startAtLayer, stopAtLayer);

    /// <summary>Caches only the activations called <paramref name="names"/> (full hook names).</summary>
    /// <example><code>var (logits, cache) = model.RunWithCache(tokens, ["blocks.0.hook_resid_post", "blocks.1.hook_resid_post"]);</code></example>
    public (Tensor Logits, ActivationCache Cache) RunWithCache(Tensor tokens, IReadOnlyCollection<string> names, int? startAtLayer = null, int? stopAtLayer = null) =>
        RunWithCache(tokens, NamesFilter(names), startAtLayer, stopAtLayer);

    Func<string, bool> NameFilter(string name)
    {
        GetHookPoint(name); // an unknown name fails here, with suggestions
        return n => n == name;
    }

    Func<string, bool> NamesFilter(IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var n in names) GetHookPoint(n);
        var set = names.ToHashSet(StringComparer.Ordinal);
        return set.Contains;
    }

    /// <summary>Removes every hook from every hook point (hooks attached by scopes included).</summary>
    public void ResetHooks()
    {
        foreach (var p in _hookPoints.Values) p.Clear();
    }

    sealed class HookScope(List<IDisposable> handles) : IDisposable
    {
        public void Dispose()
        {
            foreach (var h in handles) h.Dispose();
            handles.Clear();
        }
    }
}
