using static TorchSharp.torch;

namespace InterpKernel;

public sealed partial class HookedTransformer
{
    /// <summary>
    /// Logits <c>[batch, pos, d_vocab]</c> of a padded batch: pads are never attended to and positions count real
    /// tokens only, so each row's logits at its real tokens equal its prompt's logits alone. Pad positions hold
    /// values that mean nothing; <see cref="TokenBatch.LastRealToken"/> picks each row's last real position.
    /// </summary>
    /// <example>
    /// <code>
    /// using var batch = model.ToTokens(["In the beginning", "And God said"], PaddingSide.Left);
    /// using var logits = model.Forward(batch);
    /// </code>
    /// </example>
    public Tensor Forward(TokenBatch batch, int? stopAtLayer = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return ForwardCore(batch.Tokens, null, null, stopAtLayer, batch.AttentionMask);
    }

    /// <summary>Runs a padded batch with temporary hooks (removed afterwards); see <see cref="Forward(TokenBatch, int?)"/>.</summary>
    public Tensor RunWithHooks(TokenBatch batch, params (string Name, HookFunction Hook)[] hooks)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using (Hooks(hooks)) return ForwardCore(batch.Tokens, null, null, null, batch.AttentionMask);
    }

    /// <summary>
    /// Runs with temporary hooks through blocks <c>[startAtLayer, stopAtLayer)</c>: with <paramref name="startAtLayer"/>
    /// the input is the residual stream entering that block, otherwise tokens.
    /// </summary>
    public Tensor RunWithHooks(Tensor input, int? startAtLayer, int? stopAtLayer, params (string Name, HookFunction Hook)[] hooks)
    {
        using (Hooks(hooks)) return ForwardCore(input, null, startAtLayer, stopAtLayer, null);
    }

    /// <summary>Caches the activations of a padded batch (pad positions included: <c>batch.AttentionMask</c> says which are real).</summary>
    public (Tensor Logits, ActivationCache Cache) RunWithCache(TokenBatch batch, Func<string, bool>? namesFilter = null, int? stopAtLayer = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return RunWithCache(batch.Tokens, namesFilter, null, stopAtLayer, batch.AttentionMask);
    }

    /// <summary>Caches the one activation called <paramref name="name"/> for a padded batch.</summary>
    public (Tensor Logits, ActivationCache Cache) RunWithCache(TokenBatch batch, string name, int? stopAtLayer = null) =>
        RunWithCache(batch, NameFilter(name), stopAtLayer);

    /// <summary>Caches the activations called <paramref name="names"/> for a padded batch.</summary>
    public (Tensor Logits, ActivationCache Cache) RunWithCache(TokenBatch batch, IReadOnlyCollection<string> names, int? stopAtLayer = null) =>
        RunWithCache(batch, NamesFilter(names), stopAtLayer);
}
