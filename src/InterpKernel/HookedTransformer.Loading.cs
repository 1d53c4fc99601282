using InterpKernel.Loading;
using InterpKernel.Tokenization;
using static TorchSharp.torch;

namespace InterpKernel;

public sealed partial class HookedTransformer
{
    /// <summary>
    /// Loads a Hugging Face checkpoint (config.json + safetensors, single file or sharded) from a local folder and
    /// processes its weights as TransformerLens's <c>from_pretrained</c> does (norms folded, writing weights and the
    /// unembedding centered, value biases folded; see <see cref="LoadOptions"/>). Families: GPT-2, GPT-NeoX/Pythia,
    /// Llama, Qwen2. Weights stored as F32, F16 or BF16 run in <paramref name="dtype"/> (float32 by default) on
    /// <paramref name="device"/>. Tokenizer files in the folder are used when present.
    /// </summary>
    /// <remarks>
    /// Processing keeps every next-token probability but changes some hook values (LayerNorm outputs, the residual
    /// stream's mean, raw logits by a constant per position, <c>hook_v</c>/<c>hook_z</c> by the value bias). To compare
    /// activations with Hugging Face's, load with <see cref="FromPretrainedNoProcessing"/>.
    /// </remarks>
    /// <example>
    /// <code>
    /// using var model = HookedTransformer.FromPretrained("models/kjv-gpt2-2l");
    /// Console.WriteLine(model.Generate("In the beginning", maxNewTokens: 10));
    /// </code>
    /// </example>
    public static HookedTransformer FromPretrained(string nameOrPath, string device = "cpu", ScalarType? dtype = null) =>
        FromPretrained(nameOrPath, new LoadOptions { Device = device, Dtype = dtype });

    /// <summary>
    /// As <see cref="FromPretrained(string, string, ScalarType?)"/>, choosing whether to process the weights and, for a
    /// Hugging Face model id, which <paramref name="revision"/> to use.
    /// </summary>
    /// <example>
    /// <code>
    /// using var raw = HookedTransformer.FromPretrained("models/kjv-gpt2-2l", "cpu", null, processWeights: false);
    /// </code>
    /// </example>
    public static HookedTransformer FromPretrained(string nameOrPath, string device, ScalarType? dtype, bool processWeights, string revision = "main") =>
        FromPretrained(nameOrPath, new LoadOptions { Device = device, Dtype = dtype, ProcessWeights = processWeights, Revision = revision });

    /// <summary>Loads a checkpoint as <paramref name="options"/> say (device, dtype, which processing steps, revision).</summary>
    /// <example>
    /// <code>
    /// using var model = HookedTransformer.FromPretrained("models/kjv-gpt2-2l",
    ///     new LoadOptions { Dtype = ScalarType.BFloat16, CenterUnembed = false });
    /// </code>
    /// </example>
    public static HookedTransformer FromPretrained(string nameOrPath, LoadOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Revision))
            throw new ArgumentException("LoadOptions.Revision is empty: give a branch, tag or commit of the Hub repository (\"main\" by default).", nameof(options));
        string folder = ResolveModelFolder(nameOrPath, options.Revision);
        return FromFolder(folder, options);
    }

    /// <summary>
    /// Loads a checkpoint with its weights exactly as stored (TransformerLens's <c>from_pretrained_no_processing</c>):
    /// hook values then match Hugging Face's activations.
    /// </summary>
    /// <example>
    /// <code>
    /// using var model = HookedTransformer.FromPretrainedNoProcessing("models/kjv-gpt2-2l");
    /// </code>
    /// </example>
    public static HookedTransformer FromPretrainedNoProcessing(string nameOrPath, string device = "cpu", ScalarType? dtype = null, string revision = "main") =>
        FromPretrained(nameOrPath, new LoadOptions { Device = device, Dtype = dtype, ProcessWeights = false, Revision = revision });

    static HookedTransformer FromFolder(string folder, LoadOptions options)
    {
        var dt = options.Dtype ?? ScalarType.Float32;
        if (dt is not (ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float64))
            throw new ArgumentException($"dtype {dt} is not a floating-point type a model can run in: use Float32, Float16 or BFloat16.", nameof(options));
        var dev = Devices.Resolve(options.Device);
        var config = HuggingFaceConfig.Load(Path.Combine(folder, "config.json")) with
        {
            UseAttnResult = options.UseAttnResult,
            UseSplitQkvInput = options.UseSplitQkvInput,
            UseAttnIn = options.UseAttnIn,
            UseHookMlpIn = options.UseHookMlpIn,
        };
        ModelTokenizer.TryFromFolder(folder, out var tokenizer, out var whyNoTokenizer);
        using var reader = CheckpointReader.Open(folder, options.MemoryMap);
        using var scope = NewDisposeScope();
        var source = new CheckpointTensorSource(reader);
        Dictionary<string, Tensor> weights;
        if (options.ProcessWeights)
        {
            // Half-precision rounding would otherwise enter every folded product; process wide, then cast.
            var wide = dt == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
            var raw = CheckpointConverter.ToTransformerLens(config, source, wide, dev);
            (config, weights) = WeightProcessing.Apply(config, raw, options, dt, folder);
        }
        else
        {
            weights = CheckpointConverter.ToTransformerLens(config, source, dt, dev);
        }
        var model = new HookedTransformer(config, new Weights(weights, folder), dev, dt)
        {
            Tokenizer = tokenizer,
            TokenizerProblem = whyNoTokenizer,
            SourceFolder = folder,
            WeightsProcessed = options.ProcessWeights,
        };
        // Parameters keep what they need; the converter's intermediates go with the scope.
        foreach (var p in model.parameters()) p.DetachFromDisposeScope();
        foreach (var b in model.buffers()) b.DetachFromDisposeScope();
        return model;
    }

    /// <summary>
    /// A model of the given shape with random weights (normal, std 0.02; norms at identity; seed 0), for benchmarks
    /// and tests. Deterministic for a given seed and device. Off the CPU the weights
    /// are drawn on <paramref name="device"/> in <paramref name="dtype"/> directly, with query, key and value fused as the
    /// attention stores them, so a model the size of Llama-3-8B never needs a float32 copy or a second copy of a weight.
    /// </summary>
    /// <example>
    /// <code>
    /// using var model = HookedTransformer.FromConfig(config, "cuda", ScalarType.BFloat16);
    /// </code>
    /// </example>
    public static HookedTransformer FromConfig(TransformerConfig config, string device, ScalarType? dtype) =>
        FromConfig(config, 0, device, dtype);

    /// <summary>
    /// A model of the given shape with random weights (normal, std <paramref name="initRange"/>; norms at identity),
    /// for benchmarks and tests. Deterministic for a given <paramref name="seed"/> and device (see
    /// <see cref="FromConfig(TransformerConfig, string, ScalarType?)"/>).
    /// </summary>
    public static HookedTransformer FromConfig(TransformerConfig config, int seed = 0, string device = "cpu", ScalarType? dtype = null, double initRange = 0.02) =>
        FromConfig(config, seed, device, dtype, initRange, fuseQkv: null);

    /// <summary>As the public overload; <paramref name="fuseQkv"/> draws query, key and value fused (default: off the CPU only).</summary>
    internal static HookedTransformer FromConfig(TransformerConfig config, int seed, string device, ScalarType? dtype, double initRange, bool? fuseQkv)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var dt = dtype ?? ScalarType.Float32;
        if (dt is not (ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float64))
            throw new ArgumentException($"dtype {dt} is not a floating-point type a model can run in: use Float32, Float16 or BFloat16.", nameof(dtype));
        var dev = Devices.Resolve(device);
        bool onCpu = dev.type == TorchSharp.DeviceType.CPU;
        using var scope = NewDisposeScope();
        // TorchSharp 0.107 makes every Generator on the CPU, and a CUDA kernel refuses a CPU generator: on a GPU the
        // device's default generator is seeded instead.
        using var gen = onCpu ? new Generator((ulong)seed) : null;
        if (!onCpu) cuda.manual_seed((long)seed);
        Tensor Rand(params long[] shape)
        {
            // Scaled in place and converted once, so building a large model never holds two copies of a weight.
            if (!onCpu) return randn(shape, dt, dev).mul_(initRange);
            var t = randn(shape, ScalarType.Float32, generator: gen).mul_(initRange);
            if (dt == ScalarType.Float32) return t;
            var moved = t.to(dt, copy: true);
            t.Dispose();
            return moved;
        }
        Tensor Ones(long n) => ones(n, dt, dev);
        Tensor Zeros(params long[] shape) => zeros(shape, dt, dev);
        int m = config.DModel, h = config.NHeads, kv = config.KeyValueHeads, d = config.DHead, f = config.DMlp;
        var w = new Dictionary<string, Tensor> { ["embed.W_E"] = Rand(config.DVocab, m) };
        if (config.PositionalEmbedding == PositionalEmbeddingType.Standard) w["pos_embed.W_pos"] = Rand(config.NCtx, m);
        bool layerNorm = config.Normalization == NormalizationType.LayerNorm;
        void Norm(string prefix)
        {
            if (config.NormalizationIsFolded) return;
            w[prefix + ".w"] = Ones(m);
            if (layerNorm) w[prefix + ".b"] = Zeros(m);
        }
        for (int l = 0; l < config.NLayers; l++)
        {
            string p = $"blocks.{l}.";
            Norm(p + "ln1");
            Norm(p + "ln2");
            if (!(fuseQkv ?? !onCpu))
            {
                w[p + "attn.W_Q"] = Rand(h, m, d);
                w[p + "attn.W_K"] = Rand(kv, m, d);
                w[p + "attn.W_V"] = Rand(kv, m, d);
            }
            else
            {
                w[p + "attn.W_QKV"] = Rand(m, (h + 2 * kv) * d); // [d_model, (n_heads + 2 n_kv_heads) d_head], as Attention keeps it
            }
            w[p + "attn.W_O"] = Rand(h, d, m);
            w[p + "mlp.W_in"] = Rand(m, f);
            if (config.GatedMlp) w[p + "mlp.W_gate"] = Rand(m, f);
            w[p + "mlp.W_out"] = Rand(f, m);
        }
        Norm("ln_final");
        w["unembed.W_U"] = Rand(m, config.DVocab);
        var model = new HookedTransformer(config, new Weights(w, "random weights"), dev, dt);
        foreach (var p in model.parameters()) p.DetachFromDisposeScope();
        foreach (var b in model.buffers()) b.DetachFromDisposeScope();
        return model;
    }

    /// <summary>The tokenizer read from the model folder, or <c>null</c> when the folder ships none.</summary>
    public ModelTokenizer? Tokenizer { get; init; }

    /// <summary>Why no tokenizer could be read, when <see cref="Tokenizer"/> is <c>null</c>.</summary>
    public string? TokenizerProblem { get; init; }

    /// <summary>The folder the checkpoint was read from, when it came from one.</summary>
    public string? SourceFolder { get; init; }

    /// <summary>
    /// Whether the weights were processed when loaded (see <see cref="LoadOptions"/>); <c>false</c> for raw checkpoint
    /// weights and for models built with <see cref="FromConfig(TransformerConfig, int, string, ScalarType?, double)"/>.
    /// </summary>
    public bool WeightsProcessed { get; init; }

    static string ResolveModelFolder(string nameOrPath, string revision)
    {
        if (Directory.Exists(nameOrPath)) return Path.GetFullPath(nameOrPath);
        if (File.Exists(nameOrPath) && Path.GetFileName(nameOrPath) == "config.json")
            return Path.GetDirectoryName(Path.GetFullPath(nameOrPath))!;
        // Embedded models by bare name ("kjv-gpt2-2l"), from the current folder or the INTERPKERNEL_MODELS folder.
        foreach (var root in new[] { Environment.GetEnvironmentVariable("INTERPKERNEL_MODELS"), "models" })
        {
            if (string.IsNullOrEmpty(root)) continue;
            string candidate = Path.Combine(root, nameOrPath);
            if (Directory.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        return ResolveFromHub(nameOrPath, revision);
    }
}
