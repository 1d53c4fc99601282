using InterpKernel.Analysis;
using static TorchSharp.torch;

namespace InterpKernel;

public sealed partial class HookedTransformer
{
    /// <summary>
    /// Adds <c>coefficient × direction</c> to the activation at <paramref name="hookName"/> in every forward pass and
    /// every generation step until the returned scope is disposed. <paramref name="positions"/> limits it to those
    /// indices of each forward's position axis (negative ones from the end; with key/value-cached generation each new
    /// token is a forward of one position, so <c>[-1]</c> steers every generated token and <c>null</c> steers all).
    /// </summary>
    /// <example>
    /// <code>
    /// using (model.Steer("blocks.1.hook_resid_pre", direction, 4f))
    ///     Console.WriteLine(model.Generate("And God said", 12));
    /// </code>
    /// </example>
    public IDisposable Steer(string hookName, Tensor direction, float coefficient, IReadOnlyList<int>? positions = null)
    {
        var point = GetHookPoint(hookName);
        var dir = PrepareDirection(direction, nameof(direction), normalise: false);
        if (LastAxisWidth(hookName) is { } width && dir.shape[0] != width)
        {
            dir.Dispose();
            throw new ArgumentException(
                $"The direction has {direction.shape[0]} entries, but '{hookName}' is {width} wide along its last axis: give a direction of that width.", nameof(direction));
        }
        int[]? chosen = positions?.ToArray();
        if (chosen is { Length: 0 }) throw new ArgumentException("positions is empty: pass null to steer every position.", nameof(positions));
        var handle = point.Add((act, hook) =>
        {
            CheckWidth(act, dir, hook.Name);
            var add = dir * coefficient; // [d]
            if (chosen is null) return act + add;
            long pos = act.shape[1];
            var mask = zeros(pos, act.dtype, act.device);
            foreach (int p in chosen)
            {
                long at = p < 0 ? pos + p : p;
                if (at >= 0 && at < pos) mask[at] = 1;
            }
            return act + mask.view(1, pos, 1) * add;
        });
        return new OwnedHookScope([handle], [dir]);
    }

    /// <summary>
    /// Erases the unit-normalised <paramref name="direction"/> <c>[d_model]</c> from everything written into the residual
    /// stream (token and position embeddings, every attention and MLP output) until disposed, so no later layer can read
    /// it: every <c>hook_resid_*</c> is then orthogonal to it. <see cref="OrthogonalizeWeights"/> makes the same edit permanent.
    /// </summary>
    /// <example><code>using (model.AblateDirection(refusal)) Console.WriteLine(model.Generate(prompt, 20));</code></example>
    public IDisposable AblateDirection(Tensor direction)
    {
        var dir = PrepareDirection(direction, nameof(direction), normalise: true);
        HookFunction project = (act, hook) =>
        {
            CheckWidth(act, dir, hook.Name);
            return act - act.matmul(dir).unsqueeze(-1) * dir;
        };
        var names = ResidualWriters();
        var handles = names.Select(n => GetHookPoint(n).Add(project)).ToList();
        return new OwnedHookScope(handles, [dir]);
    }

    /// <summary>
    /// Removes the unit-normalised <paramref name="direction"/> from every weight that writes into the residual stream
    /// (<c>W_E</c>, <c>W_pos</c>, each <c>W_O</c> and <c>b_O</c>, each <c>W_out</c> and <c>b_out</c>), in place and
    /// for good: the weight-space form of <see cref="AblateDirection"/>, with the same logits. A tied unembedding is
    /// first given its own copy so the edit to <c>W_E</c> does not reach it.
    /// </summary>
    public void OrthogonalizeWeights(Tensor direction)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var dir = PrepareDirection(direction, nameof(direction), normalise: true);
        // The converter may build W_U as a transposed view of W_E; give it storage of its own first.
        var ownUnembed = unembed.WU.clone();
        unembed.WU.set_(ownUnembed);
        static void Project(Tensor weight, Tensor d) => weight.copy_(weight - weight.matmul(d).unsqueeze(-1) * d);
        Project(embed.WE, dir);
        if (pos_embed is not null) Project(pos_embed.WPos, dir);
        foreach (var block in _blockArray)
        {
            Project(block.Attn.WO, dir);
            Project(block.Attn.BO, dir);
            Project(block.Mlp.WOut, dir);
            Project(block.Mlp.BOut, dir);
        }
    }

    /// <summary>
    /// Splices <paramref name="sae"/> into the model at its hook until the returned scope is disposed: the activation is
    /// replaced by the SAE's reconstruction, plus the reconstruction error when <paramref name="useErrorTerm"/> is set
    /// (then the model's output is unchanged while the SAE's hook points still show its features). A transcoder reads
    /// its input hook (<c>blocks.L.ln2.hook_normalized</c>) and replaces its output hook (<c>blocks.L.hook_mlp_out</c>)
    /// by its prediction; the error term is then the output hook's own activation minus that prediction.
    /// </summary>
    /// <example>
    /// <code>
    /// using var sae = SparseAutoencoder.Load("saes/blocks.1.hook_resid_pre");
    /// using var spliced = model.WithSae(sae, useErrorTerm: true);
    /// var (logits, cache) = spliced.RunWithCache(tokens);
    /// var acts = cache["blocks.1.hook_resid_pre.hook_sae_acts_post"]; // [batch, pos, d_sae]
    /// </code>
    /// </example>
    public SaeScope WithSae(SparseAutoencoder sae, bool useErrorTerm = false)
    {
        ArgumentNullException.ThrowIfNull(sae);
        var point = GetHookPoint(sae.Config.HookName);
        if (sae.Config.DIn != ActivationWidth(sae.Config.HookName))
            throw new ArgumentException(
                $"The SAE reads {sae.Config.DIn}-wide activations, but '{sae.Config.HookName}' is {ActivationWidth(sae.Config.HookName)} wide: it was trained for another model or hook.",
                nameof(sae));
        if (!sae.Config.IsTranscoder) return new SaeScope(this, sae, point.Add((act, _) => sae.Splice(act, act, useErrorTerm)));
        return SpliceTranscoder(sae, point, useErrorTerm);
    }

    /// <summary>
    /// Splices a transcoder in: its input hook keeps the activation it reads, and its output hook's activation is
    /// replaced by the transcoder's prediction from that input (plus the error term when asked).
    /// </summary>
    SaeScope SpliceTranscoder(SparseAutoencoder transcoder, HookPoint inputPoint, bool useErrorTerm)
    {
        string outName = transcoder.Config.OutputHookName;
        var outputPoint = GetHookPoint(outName);
        if (transcoder.Config.OutputWidth != ActivationWidth(outName))
            throw new ArgumentException(
                $"The transcoder predicts {transcoder.Config.OutputWidth}-wide activations, but '{outName}' is {ActivationWidth(outName)} wide: it was trained for another model or hook.",
                nameof(transcoder));
        int inputOrder = _hookNames.IndexOf(transcoder.Config.HookName), outputOrder = _hookNames.IndexOf(outName);
        if (inputOrder >= 0 && outputOrder >= 0 && inputOrder > outputOrder)
            throw new ArgumentException(
                $"The transcoder reads '{transcoder.Config.HookName}', which runs after '{outName}', the hook it replaces: it cannot be spliced into this model.",
                nameof(transcoder));
        var kept = new TensorStore();
        string inName = inputPoint.Name;
        var readHandle = inputPoint.Add(kept.Hook((act, _) => act.clone()));
        var writeHandle = outputPoint.Add((act, _) =>
            kept.TryGetValue(inName, out var input)
                ? transcoder.Splice(input, act, useErrorTerm)
                : throw new InvalidOperationException($"'{outName}' ran before '{transcoder.Config.HookName}', so the transcoder had no input."));
        return new SaeScope(this, transcoder, new ScopeHandle(() =>
        {
            writeHandle.Dispose();
            readHandle.Dispose();
            kept.Dispose();
        }));
    }

    sealed class ScopeHandle(Action dispose) : IDisposable
    {
        Action? _dispose = dispose;

        public void Dispose()
        {
            _dispose?.Invoke();
            _dispose = null;
        }
    }

    /// <summary>The hooks whose activations are added into the residual stream, in forward order.</summary>
    internal IReadOnlyList<string> ResidualWriters() => _hookNames
        .Where(n => n is "hook_embed" or "hook_pos_embed" || n.EndsWith(".hook_attn_out", StringComparison.Ordinal) || n.EndsWith(".hook_mlp_out", StringComparison.Ordinal))
        .ToList();

    long? ActivationWidth(string hookName)
    {
        if (hookName is "hook_embed" or "hook_pos_embed" || hookName.Contains("hook_resid") || hookName.EndsWith("_out", StringComparison.Ordinal)
            || hookName.EndsWith("hook_normalized", StringComparison.Ordinal))
            return Config.DModel;
        if (hookName.EndsWith("mlp.hook_post", StringComparison.Ordinal) || hookName.EndsWith("mlp.hook_pre", StringComparison.Ordinal)) return Config.DMlp;
        if (hookName.EndsWith("attn.hook_z", StringComparison.Ordinal)) return (long)Config.NHeads * Config.DHead;
        return null;
    }

    // The last axis of a hook's activation, where the name tells it.
    long? LastAxisWidth(string hookName)
    {
        if (hookName.Contains(".hook_sae", StringComparison.Ordinal)) return null;
        string[] perHead = [".attn.hook_q", ".attn.hook_k", ".attn.hook_v", ".attn.hook_z", ".attn.hook_rot_q", ".attn.hook_rot_k"];
        if (perHead.Any(s => hookName.EndsWith(s, StringComparison.Ordinal))) return Config.DHead;
        if (hookName.EndsWith(".attn.hook_result", StringComparison.Ordinal) || hookName.EndsWith("_input", StringComparison.Ordinal)
            || hookName.EndsWith(".hook_attn_in", StringComparison.Ordinal) || hookName.EndsWith(".hook_mlp_in", StringComparison.Ordinal)) return Config.DModel;
        if (hookName.EndsWith(".mlp.hook_pre_linear", StringComparison.Ordinal)) return Config.DMlp;
        if (hookName.EndsWith(".hook_scale", StringComparison.Ordinal) || hookName.Contains("hook_pattern", StringComparison.Ordinal)
            || hookName.Contains("hook_attn_scores", StringComparison.Ordinal)) return null;
        return ActivationWidth(hookName);
    }

    Tensor PrepareDirection(Tensor direction, string paramName, bool normalise)
    {
        ArgumentNullException.ThrowIfNull(direction, paramName);
        if (direction.dim() != 1)
            throw new ArgumentException($"The direction must be a vector [d], but has shape [{string.Join(", ", direction.shape)}].", paramName);
        using var scope = NewDisposeScope();
        var d = direction.detach().to(Dtype, Device).clone();
        if (normalise)
        {
            if (direction.shape[0] != Config.DModel)
                throw new ArgumentException($"The direction has {direction.shape[0]} entries, but the residual stream is d_model = {Config.DModel} wide.", paramName);
            var norm = d.to(ScalarType.Float64).norm().item<double>();
            if (!(norm > 0) || double.IsInfinity(norm)) throw new ArgumentException("The direction has zero (or non-finite) norm; it cannot be normalised.", paramName);
            d = d / norm;
        }
        return d.DetachFromDisposeScope();
    }

    static void CheckWidth(Tensor act, Tensor dir, string hookName)
    {
        if (act.shape[^1] != dir.shape[0])
            throw new InvalidOperationException(
                $"The direction has {dir.shape[0]} entries, but '{hookName}' is {act.shape[^1]} wide along its last axis: give a direction of that width.");
    }

    /// <summary>Removes hooks and frees the tensors they used when disposed.</summary>
    sealed class OwnedHookScope(List<IDisposable> handles, Tensor[] owned) : IDisposable
    {
        bool _done;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            foreach (var h in handles) h.Dispose();
            foreach (var t in owned) t.Dispose();
        }
    }
}
