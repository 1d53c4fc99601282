using static TorchSharp.torch;

namespace InterpKernel.Loading;

/// <summary>
/// Converts Hugging Face checkpoint tensors into TransformerLens names and shapes
/// (<c>W_Q [n_heads, d_model, d_head]</c>, <c>W_O [n_heads, d_head, d_model]</c>, <c>W_in [d_model, d_mlp]</c>, ...).
/// Conversions are views where the layout allows, so loading copies as little as possible.
/// </summary>
internal static partial class CheckpointConverter
{
    public static Dictionary<string, Tensor> ToTransformerLens(TransformerConfig cfg, ITensorSource source, ScalarType dtype, Device device) =>
        cfg.ModelType switch
        {
            "gpt2" => Gpt2(cfg, source, dtype, device),
            "gpt_neox" => GptNeoX(cfg, source, dtype, device),
            "llama" or "qwen2" or "qwen3" or "mistral" or "mixtral" or "phi3" or "olmo2" or "stablelm"
                or "gemma" or "gemma2" or "gemma3_text" => LlamaFamily(cfg, source, dtype, device),
            "gptj" => GptJ(cfg, source, dtype, device),
            "gpt_neo" => GptNeo(cfg, source, dtype, device),
            _ => throw new NotSupportedException(
                $"model_type '{cfg.ModelType}' is not supported. Supported model types: {string.Join(", ", HuggingFaceConfig.SupportedModelTypes)}."),
        };

    internal static Func<string, Tensor> Loader(ITensorSource source, string prefix, ScalarType dtype, Device device) => name =>
    {
        string full = prefix + name;
        if (!source.Contains(full))
            throw new InvalidDataException(
                $"{source.Description}: the tensor '{full}' is missing. The weights do not fit the config (model_type, layer count); check that config.json belongs to these weights.");
        return source.Load(full, dtype, device);
    };

    static Dictionary<string, Tensor> Gpt2(TransformerConfig c, ITensorSource s, ScalarType dtype, Device device)
    {
        string prefix = s.Contains("transformer.wte.weight") ? "transformer." : "";
        var get = Loader(s, prefix, dtype, device);
        int m = c.DModel, h = c.NHeads, d = c.DHead;
        var w = new Dictionary<string, Tensor>
        {
            ["embed.W_E"] = get("wte.weight"),
            ["pos_embed.W_pos"] = get("wpe.weight"),
            ["ln_final.w"] = get("ln_f.weight"),
            ["ln_final.b"] = get("ln_f.bias"),
        };
        for (int l = 0; l < c.NLayers; l++)
        {
            string hf = $"h.{l}.", tl = $"blocks.{l}.";
            w[tl + "ln1.w"] = get(hf + "ln_1.weight");
            w[tl + "ln1.b"] = get(hf + "ln_1.bias");
            w[tl + "ln2.w"] = get(hf + "ln_2.weight");
            w[tl + "ln2.b"] = get(hf + "ln_2.bias");
            // Conv1D [d_model, 3 * d_model], x @ W: the Q, K and V columns, each head's together, side by side, which
            // is the model's own fused layout; W_Q, W_K, W_V are derived from it as views (see Weights).
            var qkv = get(hf + "attn.c_attn.weight");
            CheckShape(s, prefix + hf + "attn.c_attn.weight", qkv, m, 3 * m);
            w[tl + "attn.W_QKV"] = qkv;
            w[tl + "attn.b_QKV"] = get(hf + "attn.c_attn.bias"); // [3 * d_model]
            var proj = get(hf + "attn.c_proj.weight");  // [h * d, d_model]
            CheckShape(s, prefix + hf + "attn.c_proj.weight", proj, m, m);
            w[tl + "attn.W_O"] = proj.view(h, d, m);
            w[tl + "attn.b_O"] = get(hf + "attn.c_proj.bias");
            w[tl + "mlp.W_in"] = get(hf + "mlp.c_fc.weight");
            w[tl + "mlp.b_in"] = get(hf + "mlp.c_fc.bias");
            w[tl + "mlp.W_out"] = get(hf + "mlp.c_proj.weight");
            w[tl + "mlp.b_out"] = get(hf + "mlp.c_proj.bias");
        }
        w["unembed.W_U"] = c.TiedEmbeddings || !s.Contains("lm_head.weight") ? w["embed.W_E"].t() : Loader(s, "", dtype, device)("lm_head.weight").t();
        return w;
    }

    static Dictionary<string, Tensor> GptNeoX(TransformerConfig c, ITensorSource s, ScalarType dtype, Device device)
    {
        var get = Loader(s, "", dtype, device);
        int m = c.DModel, h = c.NHeads, d = c.DHead;
        var w = new Dictionary<string, Tensor>
        {
            ["embed.W_E"] = get("gpt_neox.embed_in.weight"),
            ["ln_final.w"] = get("gpt_neox.final_layer_norm.weight"),
            ["ln_final.b"] = get("gpt_neox.final_layer_norm.bias"),
        };
        for (int l = 0; l < c.NLayers; l++)
        {
            string hf = $"gpt_neox.layers.{l}.", tl = $"blocks.{l}.";
            w[tl + "ln1.w"] = get(hf + "input_layernorm.weight");
            w[tl + "ln1.b"] = get(hf + "input_layernorm.bias");
            w[tl + "ln2.w"] = get(hf + "post_attention_layernorm.weight");
            w[tl + "ln2.b"] = get(hf + "post_attention_layernorm.bias");
            // Rows are grouped per head: [head, (q | k | v), d_head] x d_model.
            var qkv = get(hf + "attention.query_key_value.weight");
            CheckShape(s, hf + "attention.query_key_value.weight", qkv, 3 * m, m);
            var qkvHeads = qkv.view(h, 3, d, m);
            var qkvBias = get(hf + "attention.query_key_value.bias").view(h, 3, d);
            string[] names = ["Q", "K", "V"];
            for (int i = 0; i < 3; i++)
            {
                w[tl + "attn.W_" + names[i]] = qkvHeads.select(1, i).permute(0, 2, 1); // [h, m, d]
                w[tl + "attn.b_" + names[i]] = qkvBias.select(1, i);
            }
            w[tl + "attn.W_O"] = get(hf + "attention.dense.weight").t().reshape(h, d, m);
            w[tl + "attn.b_O"] = get(hf + "attention.dense.bias");
            w[tl + "mlp.W_in"] = get(hf + "mlp.dense_h_to_4h.weight").t();
            w[tl + "mlp.b_in"] = get(hf + "mlp.dense_h_to_4h.bias");
            w[tl + "mlp.W_out"] = get(hf + "mlp.dense_4h_to_h.weight").t();
            w[tl + "mlp.b_out"] = get(hf + "mlp.dense_4h_to_h.bias");
        }
        w["unembed.W_U"] = c.TiedEmbeddings ? w["embed.W_E"].t() : get("embed_out.weight").t();
        return w;
    }

    internal static void CheckShape(ITensorSource s, string name, Tensor t, params long[] shape)
    {
        if (!t.shape.SequenceEqual(shape))
            throw new InvalidDataException(
                $"{s.Description}: '{name}' has shape [{string.Join(", ", t.shape)}], but the config implies [{string.Join(", ", shape)}]. " +
                "The weights do not fit the config; check that config.json belongs to these weights.");
    }
}
