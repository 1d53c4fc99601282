using InterpKernel.Analysis;
using static TorchSharp.torch;

namespace InterpKernel.Bench.Gpu;

/// <summary>
/// The same computations on the CPU and on the device, on the embedded model: forward log-probabilities, every cached
/// activation, a hooked forward, a patching sweep and greedy generation; then float16 and bfloat16 on the device.
/// </summary>
internal static class Parity
{
    const string Clean = "And Abraham said unto Isaac, Behold the fire. And Abraham said unto";
    const string Corrupt = "And Jacob said unto Isaac, Behold the fire. And Abraham said unto";

    public static void Run(string modelFolder, string device, Results results)
    {
        using var cpu = HookedTransformer.FromPretrained(modelFolder, "cpu");
        using var dev = HookedTransformer.FromPretrained(modelFolder, device);
        using var clean = cpu.ToTokens(Clean);
        using var corrupt = cpu.ToTokens(Corrupt);
        var metric = Metrics.LogitDiff(cpu.ToSingleToken(" Isaac"), cpu.ToSingleToken(" Jacob"));

        results.Parity("forward log-probs, max abs diff", Diff(LogProbs(cpu.Forward(clean)), LogProbs(dev.Forward(clean))), 1e-4);

        var (lc, cacheCpu) = cpu.RunWithCache(clean);
        var (ld, cacheDev) = dev.RunWithCache(clean);
        using (lc) using (ld) using (cacheCpu) using (cacheDev)
        {
            double worst = 0;
            string where = "";
            foreach (var name in cacheCpu.Keys)
            {
                double d = Diff(cacheCpu[name].alias(), cacheDev[name].alias(), relative: true);
                if (d > worst) (worst, where) = (d, name);
            }
            results.Parity($"every cached activation ({cacheCpu.Keys.Count}), max diff / max abs value (worst: {where})", worst, 1e-4);
        }

        HookFunction ablate = (z, _) => { var c = z.clone(); c[.., .., 3] = 0; return c; };
        results.Parity("hooked forward (head 1.3 zero-ablated), log-probs max abs diff",
            Diff(LogProbs(cpu.RunWithHooks(clean, ("blocks.1.attn.hook_z", ablate))), LogProbs(dev.RunWithHooks(clean, ("blocks.1.attn.hook_z", ablate)))), 1e-4);

        results.Parity("patching sweep (resid_pre, every layer and position), max abs diff",
            Diff(ActivationPatching.ResidPre(cpu, clean, corrupt, metric), ActivationPatching.ResidPre(dev, clean, corrupt, metric)), 1e-4);

        using var genCpu = cpu.Generate(clean, 20);
        using var genDev = dev.Generate(clean, 20);
        results.Parity("greedy generation, 20 tokens: positions that differ", genCpu.cpu().ne(genDev.cpu()).sum().item<long>(), 0);

        foreach (var dtype in new[] { ScalarType.Float16, ScalarType.BFloat16 })
        {
            using var half = HookedTransformer.FromPretrained(modelFolder, device, dtype);
            using var lpCpu = LogProbs(cpu.Forward(clean));
            using var lpHalf = LogProbs(half.Forward(clean));
            using var agree = lpCpu.argmax(-1).eq(lpHalf.argmax(-1)).to(ScalarType.Float32).mean();
            results.Parity($"{dtype}: log-probs max abs diff against float32 on the CPU (top-1 agreement {agree.item<float>():P0})",
                Diff(lpCpu.alias(), lpHalf.alias()), null);
            using var gen = half.Generate(clean, 20);
            results.Parity($"{dtype}: greedy generation, 20 tokens: positions that differ from float32", genCpu.cpu().ne(gen.cpu()).sum().item<long>(), null);
        }
    }

    static Tensor LogProbs(Tensor logits)
    {
        using (logits) return logits.to(ScalarType.Float32).log_softmax(-1).cpu();
    }

    static double Diff(Tensor a, Tensor b, bool relative = false)
    {
        using (a) using (b)
        {
            using var scope = NewDisposeScope();
            var x = a.cpu().to(ScalarType.Float64);
            var y = b.cpu().to(ScalarType.Float64);
            double d = (x - y).abs().max().item<double>();
            return relative ? d / Math.Max(x.abs().max().item<double>(), 1e-12) : d;
        }
    }
}
