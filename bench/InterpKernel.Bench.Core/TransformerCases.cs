using static TorchSharp.torch;

namespace InterpKernel.Bench.Core;

/// <summary>Forward, RunWithCache and generation of a GPT-2-small-shaped model with random weights.</summary>
static class TransformerCases
{
    public const int PromptTokens = 128;
    public const int NewTokens = 32;

    public static TransformerConfig Gpt2Small { get; } = new()
    {
        ModelType = "gpt2",
        DModel = 768,
        NHeads = 12,
        DHead = 64,
        NLayers = 12,
        DMlp = 3072,
        NCtx = 1024,
        DVocab = 50257,
        Activation = "gelu_new",
        Normalization = NormalizationType.LayerNorm,
        LayerNormEps = 1e-5,
    };

    public static Measurement Run(string name, int batch, int runs, BenchDevice bench)
    {
        using var model = HookedTransformer.FromConfig(Gpt2Small, seed: 0, device: bench.Name, dtype: bench.Dtype);
        double modelMiB = ProcessMemory.CurrentMiB();
        using var gen = new Generator(1);
        using var cpuTokens = randint(0, Gpt2Small.DVocab, [batch, PromptTokens], ScalarType.Int64, generator: gen);
        using var tokens = cpuTokens.to(bench.Device);
        using var _ = no_grad();
        Action forward = () => { using var logits = model.Forward(tokens); bench.Sync(); };
        Action withCache = () =>
        {
            var (logits, cache) = model.RunWithCache(tokens);
            bench.Sync();
            logits.Dispose();
            cache.Dispose();
        };
        Action generateKv = () => { using var o = model.Generate(tokens, NewTokens, 0f, null, stopAtEos: false, useKeyValueCache: true); bench.Sync(); };
        Action generateFull = () => { using var o = model.Generate(tokens, NewTokens, 0f, null, stopAtEos: false, useKeyValueCache: false); bench.Sync(); };
        return name switch
        {
            "forward" => Measurement.Time(name, batch, runs, modelMiB, forward),
            "run-with-cache" => Measurement.Time(name, batch, runs, modelMiB, withCache, ("forward", forward)),
            "generate-kv" => Measurement.Time(name, batch, runs, modelMiB, generateKv),
            "generate-full" => Measurement.Time(name, batch, runs, modelMiB, generateFull, ("generate-kv", generateKv), 
                // At batch 8 one run without the cache takes minutes; the partner's prefill already ran the same full-sequence forward.
                warmUp: batch == 1),
            _ => throw new ArgumentException($"Unknown case '{name}': use forward, run-with-cache, generate-kv or generate-full.", nameof(name)),
        };
    }
}
