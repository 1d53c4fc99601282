using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// An SAE spliced into a model by <see cref="HookedTransformer.WithSae"/>; disposing it takes the SAE out again.
/// Forward passes through the model (or through this scope) run the SAE at its hook.
/// </summary>
public sealed class SaeScope : IDisposable
{
    readonly IDisposable _handle;

    internal SaeScope(HookedTransformer model, SparseAutoencoder sae, IDisposable handle)
    {
        Model = model;
        Sae = sae;
        _handle = handle;
    }

    /// <summary>The model the SAE is spliced into.</summary>
    public HookedTransformer Model { get; }

    /// <summary>The spliced SAE.</summary>
    public SparseAutoencoder Sae { get; }

    /// <summary>Logits with the SAE in place.</summary>
    public Tensor Forward(Tensor tokens) => Model.Forward(tokens);

    /// <summary>
    /// Runs a forward pass with the SAE in place and caches every model hook and SAE hook point whose name passes
    /// <paramref name="namesFilter"/> (all by default); SAE activations sit under names such as
    /// <c>blocks.1.hook_resid_pre.hook_sae_acts_post</c>.
    /// </summary>
    public (Tensor Logits, ActivationCache Cache) RunWithCache(Tensor tokens, Func<string, bool>? namesFilter = null)
    {
        var cache = new ActivationCache(Model);
        var handles = new List<IDisposable>();
        try
        {
            foreach (var name in Sae.HookNames.Where(n => namesFilter?.Invoke(n) ?? true))
                handles.Add(Sae.GetHookPoint(name).Add(cache.StoreHook));
            var modelNames = Model.HookNames.Where(n => namesFilter?.Invoke(n) ?? true).ToArray();
            using (Model.Hooks(modelNames.Select(n => (n, (HookFunction)cache.StoreHook)).ToArray()))
                return (Model.Forward(tokens), cache);
        }
        catch
        {
            cache.Dispose();
            throw;
        }
        finally
        {
            foreach (var h in handles) h.Dispose();
        }
    }

    /// <summary>Takes the SAE out of the model.</summary>
    public void Dispose() => _handle.Dispose();
}
