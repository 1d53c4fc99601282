using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Activations gathered by <see cref="ActivationCollector"/>: for each hook a float32 tensor <c>[n, d]</c> on the CPU
/// (row <c>i</c> of every hook comes from the same token), the label of each row, and where each row came from.
/// Owns its tensors: dispose it.
/// </summary>
public sealed class LabelledActivations : IDisposable
{
    readonly Dictionary<string, Tensor> _byHook;
    bool _disposed;

    internal LabelledActivations(IReadOnlyList<string> hookNames, Dictionary<string, Tensor> byHook, Tensor labels, IReadOnlyList<ActivationSource> sources)
    {
        HookNames = hookNames;
        _byHook = byHook;
        Labels = labels;
        Sources = sources;
    }

    /// <summary>The hooks read, in the order they were asked for.</summary>
    public IReadOnlyList<string> HookNames { get; }

    /// <summary>The activations of the first (or only) hook, <c>[n, d]</c>.</summary>
    public Tensor Activations => this[HookNames[0]];

    /// <summary>The activations of one hook, <c>[n, d]</c> (trailing head dimensions flattened into <c>d</c>).</summary>
    public Tensor this[string hookName]
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_byHook.TryGetValue(hookName, out var t)) return t;
            throw new KeyNotFoundException(
                $"'{hookName}' was not collected; the collected hooks are {string.Join(", ", HookNames.Select(h => $"'{h}'"))}.");
        }
    }

    /// <summary>One label per row, float32 <c>[n]</c> (class indices for classification).</summary>
    public Tensor Labels { get; }

    /// <summary>The prompt, position and token of each row.</summary>
    public IReadOnlyList<ActivationSource> Sources { get; }

    /// <summary>The number of rows.</summary>
    public int Count => Sources.Count;

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _byHook.Values) t.Dispose();
        Labels.Dispose();
    }
}
