using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>Runs a forward pass only as far as the hooks asked for need, and hands back copies of their activations.</summary>
internal static class ActivationCapture
{
    /// <summary>
    /// One activation per name (detached, float32; the caller disposes them), transformed by <paramref name="select"/>
    /// inside the hook so only what is kept is copied.
    /// </summary>
    public static Tensor[] Run(HookedTransformer model, Tensor tokens, IReadOnlyList<string> names, Func<int, Tensor, Tensor> select)
    {
        var kept = new Tensor?[names.Count];
        var hooks = names.Select((n, i) => (n, (HookFunction)((act, _) =>
        {
            kept[i]?.Dispose();
            using var scope = NewDisposeScope(); // what select makes on the way is a temporary of this hook
            kept[i] = select(i, act).to(ScalarType.Float32).detach().DetachFromDisposeScope();
            return null;
        }))).ToArray();
        try
        {
            using (model.Hooks(hooks))
            using (no_grad())
            {
                model.Forward(tokens, null, StopAt(model, names)).Dispose();
            }
            return kept.Select((t, i) => t ?? throw new InvalidOperationException($"The hook '{names[i]}' did not fire in the forward pass.")).ToArray();
        }
        catch
        {
            foreach (var t in kept) t?.Dispose();
            throw;
        }
    }

    /// <summary>The block to stop before: one past the deepest block named, or the whole model for other hooks.</summary>
    static int? StopAt(HookedTransformer model, IReadOnlyList<string> names)
    {
        int deepest = -1;
        foreach (var n in names)
        {
            model.GetHookPoint(n); // an unknown name fails here with suggestions
            if (HookNames.LayerOf(n) is not { } layer) return null;
            deepest = Math.Max(deepest, layer);
        }
        return deepest + 1;
    }

    /// <summary>For each chunk row, the positions a scan summarises (BOS skipped unless asked for; padding never).</summary>
    public static IEnumerable<(int Row, int Position)> Positions(List<TokenChunk> chunks, bool includeBos)
    {
        for (int r = 0; r < chunks.Count; r++)
            for (int p = chunks[r].StartsWithBos && !includeBos ? 1 : 0; p < chunks[r].Ids.Length; p++)
                yield return (r, p);
    }
}
