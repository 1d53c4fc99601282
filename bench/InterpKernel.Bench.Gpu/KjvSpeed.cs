using InterpKernel.Analysis;
using static TorchSharp.torch;

namespace InterpKernel.Bench.Gpu;

/// <summary>
/// Timings on the embedded model that <c>bench/gpu/hf_baseline.py</c> repeats with Hugging Face transformers: forward,
/// a forward that keeps every activation, greedy generation and a resid_pre patching sweep (per patch).
/// </summary>
internal static class KjvSpeed
{
    const string Clean = "And Abraham said unto Isaac, Behold the fire. And Abraham said unto";
    const string Corrupt = "And Jacob said unto Isaac, Behold the fire. And Abraham said unto";

    public static void Run(string modelFolder, string device, ScalarType dtype, int runs, Results results)
    {
        using var model = HookedTransformer.FromPretrained(modelFolder, device, dtype);
        var dev = model.Device;
        using var _ = no_grad();
        using var clean = model.ToTokens(Clean);
        using var corrupt = model.ToTokens(Corrupt);
        using var batch8 = clean.repeat(8, 1);
        long pos = clean.shape[1];
        results.Value($"kjv.forward_1x{pos}_ms", Timing.MedianMs(dev, 3, runs, () => model.Forward(clean).Dispose()));
        results.Value($"kjv.forward_8x{pos}_ms", Timing.MedianMs(dev, 3, runs, () => model.Forward(batch8).Dispose()));
        results.Value($"kjv.cache_all_1x{pos}_ms", Timing.MedianMs(dev, 3, runs, () =>
        {
            var (logits, cache) = model.RunWithCache(clean);
            logits.Dispose();
            cache.Dispose();
        }));
        results.Value("kjv.generate_32_ms", Timing.MedianMs(dev, 1, Math.Max(3, runs / 3), () => model.Generate(clean, 32).Dispose()));
        var metric = Metrics.LogitDiff(model.ToSingleToken(" Isaac"), model.ToSingleToken(" Jacob"));
        int patches = model.Config.NLayers * (int)pos;
        results.Value("kjv.patch_resid_pre_per_patch_ms",
            Timing.MedianMs(dev, 1, Math.Max(3, runs / 3), () => ActivationPatching.ResidPre(model, clean, corrupt, metric).Dispose()) / patches);
        results.Value("kjv.patch_resid_pre_one_forward_per_patch_ms",
            Timing.MedianMs(dev, 1, 3, () => ActivationPatching.ResidPre(model, clean, corrupt, metric, PatchingOptions.OneForwardPerPatch).Dispose()) / patches);
    }
}
