using static TorchSharp.torch;

namespace InterpKernel;

/// <summary>
/// Activations of one forward pass by hook name. Owns its tensors (detached from autograd and from any dispose
/// scope); dispose the cache to free them. Index by full name or by TransformerLens short name and layer.
/// </summary>
public sealed partial class ActivationCache : IDisposable
{
    readonly TensorStore _store = new();
    bool _disposed;

    internal ActivationCache(HookedTransformer model) => Model = model;

    /// <summary>The model that produced these activations.</summary>
    public HookedTransformer Model { get; }

    /// <summary>The cached hook names.</summary>
    public IReadOnlyCollection<string> Keys => _store.Names;

    /// <summary>Whether an activation is cached under <paramref name="name"/>.</summary>
    public bool ContainsKey(string name) => _store.Contains(name);

    /// <summary>The activation cached under a full hook name, e.g. <c>cache["blocks.1.attn.hook_pattern"]</c>.</summary>
    public Tensor this[string name]
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_store.TryGetValue(name, out var t)) return t;
            string full = name.Contains('.') || name.StartsWith("hook_", StringComparison.Ordinal) ? name : InterpKernel.HookNames.Of(name);
            if (_store.TryGetValue(full, out t)) return t;
            throw Missing(full);
        }
    }

    /// <summary>The activation by TransformerLens short name and layer, e.g. <c>cache["pattern", 1]</c>.</summary>
    public Tensor this[string activation, int layer]
    {
        get
        {
            if (layer < 0 || layer >= Model.Config.NLayers)
                throw new ArgumentOutOfRangeException(nameof(layer), layer,
                    $"layer {layer} does not exist: the model has {Model.Config.NLayers} layers (0 to {Model.Config.NLayers - 1}).");
            return this[InterpKernel.HookNames.Of(activation, layer)];
        }
    }

    /// <summary>A normalisation hook, e.g. <c>cache["scale", 1, "ln2"]</c>.</summary>
    public Tensor this[string activation, int? layer, string layerType] =>
        this[InterpKernel.HookNames.Of(activation, layer, layerType)];

    /// <summary>The hook that fills this cache: each activation kept under its hook's name.</summary>
    internal Tensor? StoreHook(Tensor activation, HookPoint hook) => (_keep ??= _store.Hook())(activation, hook);

    HookFunction? _keep;

    KeyNotFoundException Missing(string name)
    {
        var near = InterpKernel.HookNames.Nearest(name, _store.Names);
        string hint = Model.HookNames.Contains(name)
            ? "It is a hook of this model but was not cached: widen the namesFilter of RunWithCache."
            : $"Did you mean {string.Join(", ", near.Select(n => $"'{n}'"))}?";
        return new KeyNotFoundException($"'{name}' is not in the cache. {hint}");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _store.Dispose();
    }
}
