using System.Diagnostics;
using static TorchSharp.torch;

namespace InterpKernel.Bench.Gpu;

/// <summary>
/// A Llama-3-8B-shaped model with random weights (32 layers, d_model 4096, 32 heads, 8 key/value heads, d_mlp 14336,
/// vocab 128256), or a small model of the same wiring for a check on the CPU: build time, forward and cached
/// forwards, and (with the caching allocator off) peak allocated memory against the weights.
/// </summary>
internal static class LlamaShape
{
    public static TransformerConfig Config(bool full) => new()
    {
        DModel = full ? 4096 : 256, NHeads = full ? 32 : 8, NKeyValueHeads = full ? 8 : 2, DHead = full ? 128 : 32,
        NLayers = full ? 32 : 2, DMlp = full ? 14336 : 896, NCtx = full ? 8192 : 2048, DVocab = full ? 128256 : 4096,
        Normalization = NormalizationType.RmsNorm, PositionalEmbedding = PositionalEmbeddingType.Rotary, RotaryBase = 500000,
        GatedMlp = true, Activation = "silu", LayerNormEps = 1e-5, ModelType = "llama",
    };

    static readonly (int Batch, int Pos)[] Shapes = [(1, 128), (1, 2048), (8, 512)];

    public static void Run(string device, ScalarType dtype, bool full, int runs, bool memory, Results results)
    {
        var dev = Devices.Resolve(device);
        using (var warm = ones(64, 64, dtype, dev)) warm.matmul(warm).Dispose(); // context and BLAS handles first
        long before = DeviceMemory.InUse();
        var sw = Stopwatch.StartNew();
        using var model = HookedTransformer.FromConfig(Config(full), device, dtype);
        Timing.Sync(dev);
        double buildS = sw.Elapsed.TotalSeconds;
        long weights = model.parameters().Sum(p => p.NumberOfElements * p.ElementSize);
        string prefix = full ? "llama8b" : "llama-small";
        results.Value($"{prefix}.weights_gib", weights / Gib);
        using var _ = no_grad();
        var gen = new Generator(1); // TorchSharp makes generators on the CPU: tokens are drawn there and moved
        if (memory)
        {
            Memory(model, prefix, before, weights, results);
            return;
        }
        results.Value($"{prefix}.build_s", buildS);
        foreach (var (b, p) in Shapes)
        {
            using var tokens = randint(model.Config.DVocab, [b, p], ScalarType.Int64, generator: gen).to(dev);
            results.Value($"{prefix}.forward_{b}x{p}_ms", Timing.MedianMs(dev, 2, runs, () => model.Forward(tokens).Dispose()));
            results.Value($"{prefix}.cache_resid_post_{b}x{p}_ms", Timing.MedianMs(dev, 2, runs, () => Cached(model, tokens, ResidPost)));
        }
        using var t2048 = randint(model.Config.DVocab, [1, 2048], ScalarType.Int64, generator: gen).to(dev);
        results.Value($"{prefix}.cache_all_1x2048_ms", Timing.MedianMs(dev, 1, Math.Max(3, runs / 2), () => Cached(model, t2048, null)));
    }

    const double Gib = 1024.0 * 1024 * 1024;

    static bool ResidPost(string name) => name.EndsWith(".hook_resid_post", StringComparison.Ordinal);

    static void Cached(HookedTransformer model, Tensor tokens, Func<string, bool>? filter)
    {
        var (logits, cache) = model.RunWithCache(tokens, filter);
        logits.Dispose();
        cache.Dispose();
    }

    /// <summary>Peak memory in use during a forward and a cached forward, read by the driver at hook points inside every block.</summary>
    static void Memory(HookedTransformer model, string prefix, long before, long weights, Results results)
    {
        if (!DeviceMemory.CachingOff || before < 0)
        {
            results.Note("Peak memory not measured: run with PYTORCH_NO_CUDA_MEMORY_CACHING=1 on a CUDA device.");
            return;
        }
        long peak = 0;
        HookFunction sample = (_, _) => { peak = Math.Max(peak, DeviceMemory.InUse()); return null; };
        // Points inside each block where its temporaries are largest; none of them changes how the pass runs.
        static bool Inside(string n) => n.EndsWith("mlp.hook_post", StringComparison.Ordinal) || n.EndsWith("mlp.hook_pre", StringComparison.Ordinal)
            || n.EndsWith("attn.hook_z", StringComparison.Ordinal) || n.EndsWith("hook_mlp_out", StringComparison.Ordinal) || n == "ln_final.hook_normalized";
        using var tokens = randint(model.Config.DVocab, [8, 512], ScalarType.Int64, model.Device);
        using (model.Hooks(Inside, sample))
        {
            peak = 0;
            using (var logits = model.Forward(tokens)) peak = Math.Max(peak, DeviceMemory.InUse());
            results.Value($"{prefix}.forward_8x512_peak_allocated_gib", (peak - before) / Gib);
            results.Value($"{prefix}.forward_8x512_peak_over_weights", (double)(peak - before) / weights);

            peak = 0;
            var (l2, cache) = model.RunWithCache(tokens, ResidPost);
            peak = Math.Max(peak, DeviceMemory.InUse());
            long cached = cache.Keys.Sum(k => cache[k].NumberOfElements * cache[k].ElementSize);
            l2.Dispose();
            cache.Dispose();
            results.Value($"{prefix}.cache_resid_post_8x512_peak_allocated_gib", (peak - before) / Gib);
            results.Value($"{prefix}.cache_resid_post_8x512_peak_over_weights_plus_cache", (double)(peak - before) / (weights + cached));
        }
        results.Note("Peak allocated: device memory in use (CUDA driver, caching allocator off) sampled inside every block, minus the " +
                     "reading before the model was built; it includes the logits [8, 512, d_vocab].");
    }
}
