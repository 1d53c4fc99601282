using System.Text.Json;
using InterpKernel.Loading;
using static TorchSharp.torch;

namespace InterpKernel.Bench.Core;

/// <summary>Writes a float32 GPT-2 checkpoint in Hugging Face's layout (Conv1D weights, config.json) with random weights.</summary>
static class Gpt2Checkpoint
{
    public const int DModel = 768, NHeads = 12, NLayers = 8, NCtx = 1024, DVocab = 50257;

    /// <summary>Writes config.json and model.safetensors into <paramref name="folder"/> and returns the parameter count.</summary>
    public static long Write(string folder)
    {
        Directory.CreateDirectory(folder);
        using var scope = NewDisposeScope();
        using var gen = new Generator(7);
        int m = DModel;
        Tensor Rand(params long[] shape) => randn(shape, ScalarType.Float32, generator: gen).mul_(0.02);
        var w = new Dictionary<string, Tensor>
        {
            ["transformer.wte.weight"] = Rand(DVocab, m),
            ["transformer.wpe.weight"] = Rand(NCtx, m),
            ["transformer.ln_f.weight"] = ones(m),
            ["transformer.ln_f.bias"] = zeros(m),
        };
        for (int l = 0; l < NLayers; l++)
        {
            string p = $"transformer.h.{l}.";
            w[p + "ln_1.weight"] = ones(m);
            w[p + "ln_1.bias"] = zeros(m);
            w[p + "attn.c_attn.weight"] = Rand(m, 3 * m); // Conv1D: [in, out]
            w[p + "attn.c_attn.bias"] = Rand(3 * m);
            w[p + "attn.c_proj.weight"] = Rand(m, m);
            w[p + "attn.c_proj.bias"] = Rand(m);
            w[p + "ln_2.weight"] = ones(m);
            w[p + "ln_2.bias"] = zeros(m);
            w[p + "mlp.c_fc.weight"] = Rand(m, 4 * m);
            w[p + "mlp.c_fc.bias"] = Rand(4 * m);
            w[p + "mlp.c_proj.weight"] = Rand(4 * m, m);
            w[p + "mlp.c_proj.bias"] = Rand(m);
        }
        SafeTensorsWriter.Save(Path.Combine(folder, "model.safetensors"), w, new Dictionary<string, string> { ["format"] = "pt" });
        var config = new Dictionary<string, object>
        {
            ["model_type"] = "gpt2",
            ["architectures"] = new[] { "GPT2LMHeadModel" },
            ["n_embd"] = m,
            ["n_head"] = NHeads,
            ["n_layer"] = NLayers,
            ["n_positions"] = NCtx,
            ["vocab_size"] = DVocab,
            ["activation_function"] = "gelu_new",
            ["layer_norm_epsilon"] = 1e-5,
            ["tie_word_embeddings"] = true,
            ["bos_token_id"] = 50256,
            ["eos_token_id"] = 50256,
        };
        File.WriteAllText(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(config));
        return w.Values.Sum(t => t.numel());
    }
}
