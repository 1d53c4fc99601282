using static TorchSharp.torch;

namespace InterpKernel.Loading;

internal static partial class CheckpointConverter
{
    /// <summary>
    /// Llama's checkpoint layout (<c>model.layers.L.self_attn.q_proj</c>, <c>mlp.gate_proj</c>, ...) and the families
    /// that extend it: Qwen2/3, Mistral, Mixtral (experts), Phi-3 (fused qkv and gate_up), OLMo-2 (post-norms only),
    /// StableLM (LayerNorm) and Gemma 1/2/3. Gemma's embedding scale (√d_model) and RMSNorm offset (1 + w) are folded
    /// into the weights here, so the components compute Llama's arithmetic.
    /// </summary>
    static Dictionary<string, Tensor> LlamaFamily(TransformerConfig c, ITensorSource s, ScalarType dtype, Device device)
    {
        var get = Loader(s, "", dtype, device);
        int m = c.DModel, h = c.NHeads, kv = c.KeyValueHeads, d = c.DHead, f = c.DMlp;
        bool gemma = c.ModelType.StartsWith("gemma", StringComparison.Ordinal);
        bool layerNorm = c.Normalization == NormalizationType.LayerNorm;
        var w = new Dictionary<string, Tensor>();
        void Norm(string tl, string hf)
        {
            w[tl + ".w"] = gemma ? get(hf + ".weight") + 1 : get(hf + ".weight");
            if (layerNorm) w[tl + ".b"] = get(hf + ".bias");
        }
        var embed = get("model.embed_tokens.weight");
        // Hugging Face rounds √d_model to the model's dtype before multiplying; so does this.
        w["embed.W_E"] = gemma ? embed * tensor(Math.Sqrt(m), dtype, device) : embed;
        Norm("ln_final", "model.norm");
        for (int l = 0; l < c.NLayers; l++)
        {
            string hf = $"model.layers.{l}.", tl = $"blocks.{l}.";
            if (c.PreNorms)
            {
                Norm(tl + "ln1", hf + "input_layernorm");
                if (c.ParallelAttnMlp) Norm(tl + "ln2", hf + "input_layernorm"); // one norm read by both (StableLM)
                else Norm(tl + "ln2", hf + (c.PostNorms ? "pre_feedforward_layernorm" : "post_attention_layernorm"));
            }
            if (c.PostNorms)
            {
                Norm(tl + "ln1_post", hf + "post_attention_layernorm");
                Norm(tl + "ln2_post", hf + "post_feedforward_layernorm");
            }
            Attention(c, s, get, w, hf + "self_attn.", tl + "attn.", gemma);
            if (c.IsMixtureOfExperts) Experts(c, s, get, w, hf + "block_sparse_moe.", tl + "mlp.");
            else if (s.Contains(hf + "mlp.gate_up_proj.weight"))
            {
                var gateUp = get(hf + "mlp.gate_up_proj.weight"); // [2 d_mlp, d_model]: gate rows, then up rows
                CheckShape(s, hf + "mlp.gate_up_proj.weight", gateUp, 2 * f, m);
                w[tl + "mlp.W_gate"] = gateUp.narrow(0, 0, f).t();
                w[tl + "mlp.W_in"] = gateUp.narrow(0, f, f).t();
                w[tl + "mlp.W_out"] = get(hf + "mlp.down_proj.weight").t();
            }
            else
            {
                w[tl + "mlp.W_gate"] = get(hf + "mlp.gate_proj.weight").t();
                w[tl + "mlp.W_in"] = get(hf + "mlp.up_proj.weight").t();
                w[tl + "mlp.W_out"] = get(hf + "mlp.down_proj.weight").t();
            }
        }
        w["unembed.W_U"] = c.TiedEmbeddings || !s.Contains("lm_head.weight") ? embed.t() : get("lm_head.weight").t();
        return w;
    }

    static void Attention(TransformerConfig c, ITensorSource s, Func<string, Tensor> get, Dictionary<string, Tensor> w, string hf, string tl, bool gemma)
    {
        int m = c.DModel, h = c.NHeads, kv = c.KeyValueHeads, d = c.DHead;
        if (s.Contains(hf + "qkv_proj.weight"))
        {
            // Phi-3: rows are Q's heads, then K's, then V's, which transposed is the fused W_QKV layout.
            var qkv = get(hf + "qkv_proj.weight");
            CheckShape(s, hf + "qkv_proj.weight", qkv, (h + 2 * kv) * d, m);
            w[tl + "W_QKV"] = qkv.t();
            if (s.Contains(hf + "qkv_proj.bias")) w[tl + "b_QKV"] = get(hf + "qkv_proj.bias");
        }
        else
        {
            foreach (var (name, heads) in new[] { ("Q", h), ("K", kv), ("V", kv) })
            {
                string proj = hf + $"{name.ToLowerInvariant()}_proj.";
                var weight = get(proj + "weight"); // Linear: [heads * d_head, d_model]
                CheckShape(s, proj + "weight", weight, heads * d, m);
                w[tl + "W_" + name] = weight.view(heads, d, m).permute(0, 2, 1);
                if (s.Contains(proj + "bias")) w[tl + "b_" + name] = get(proj + "bias").view(heads, d);
            }
        }
        if (c.QueryKeyNorm != QueryKeyNormalization.None)
        {
            w[tl + "q_ln.w"] = gemma ? get(hf + "q_norm.weight") + 1 : get(hf + "q_norm.weight");
            w[tl + "k_ln.w"] = gemma ? get(hf + "k_norm.weight") + 1 : get(hf + "k_norm.weight");
        }
        var o = get(hf + "o_proj.weight"); // [d_model, h * d_head]
        CheckShape(s, hf + "o_proj.weight", o, m, h * d);
        w[tl + "W_O"] = o.t().reshape(h, d, m);
        if (s.Contains(hf + "o_proj.bias")) w[tl + "b_O"] = get(hf + "o_proj.bias");
    }

    /// <summary>Mixtral's router (<c>gate</c>) and experts (<c>w1</c> gate, <c>w3</c> up, <c>w2</c> down).</summary>
    static void Experts(TransformerConfig c, ITensorSource s, Func<string, Tensor> get, Dictionary<string, Tensor> w, string hf, string tl)
    {
        var router = get(hf + "gate.weight"); // [n_experts, d_model]
        CheckShape(s, hf + "gate.weight", router, c.NExperts, c.DModel);
        w[tl + "W_router"] = router.t();
        for (int e = 0; e < c.NExperts; e++)
        {
            string x = $"{hf}experts.{e}.", y = $"{tl}experts.{e}.";
            w[y + "W_gate"] = get(x + "w1.weight").t();
            w[y + "W_in"] = get(x + "w3.weight").t();
            w[y + "W_out"] = get(x + "w2.weight").t();
        }
    }

    static void Linear(Func<string, Tensor> get, ITensorSource s, string hfPrefix, Dictionary<string, Tensor> w, string weightName, string biasName, string fullPrefix)
    {
        w[weightName] = get(hfPrefix + ".weight").t();
        if (s.Contains(fullPrefix + hfPrefix + ".bias")) w[biasName] = get(hfPrefix + ".bias");
    }

    /// <summary>GPT-J: <c>transformer.h.L</c> with one <c>ln_1</c> (given to ln1 and ln2 alike) and an unembedding bias.</summary>
    static Dictionary<string, Tensor> GptJ(TransformerConfig c, ITensorSource s, ScalarType dtype, Device device) =>
        TransformerH(c, s, dtype, device, new("attn.", "mlp.fc_in", "mlp.fc_out", SecondNorm: null, LearnedPositions: false));

    /// <summary>GPT-Neo: GPT-2's names with separate <c>q_proj</c>/<c>k_proj</c>/<c>v_proj</c> Linear layers.</summary>
    static Dictionary<string, Tensor> GptNeo(TransformerConfig c, ITensorSource s, ScalarType dtype, Device device) =>
        TransformerH(c, s, dtype, device, new("attn.attention.", "mlp.c_fc", "mlp.c_proj", SecondNorm: "ln_2", LearnedPositions: true));

    /// <summary>
    /// Where a <c>transformer.h.L</c> checkpoint with separate q/k/v projections keeps its parts: the attention
    /// prefix, the MLP's two Linear layers, the second norm (null: the block's one <c>ln_1</c> serves both) and
    /// whether learned positions (<c>wpe</c>) are present.
    /// </summary>
    readonly record struct HLayout(string Attention, string MlpIn, string MlpOut, string? SecondNorm, bool LearnedPositions);

    static Dictionary<string, Tensor> TransformerH(TransformerConfig c, ITensorSource s, ScalarType dtype, Device device, HLayout layout)
    {
        var get = Loader(s, "transformer.", dtype, device);
        int m = c.DModel, h = c.NHeads, d = c.DHead;
        var w = new Dictionary<string, Tensor>
        {
            ["embed.W_E"] = get("wte.weight"),
            ["ln_final.w"] = get("ln_f.weight"),
            ["ln_final.b"] = get("ln_f.bias"),
        };
        if (layout.LearnedPositions) w["pos_embed.W_pos"] = get("wpe.weight");
        for (int l = 0; l < c.NLayers; l++)
        {
            string hf = $"h.{l}.", tl = $"blocks.{l}.";
            w[tl + "ln1.w"] = get(hf + "ln_1.weight");
            w[tl + "ln1.b"] = get(hf + "ln_1.bias");
            string second = layout.SecondNorm ?? "ln_1";
            w[tl + "ln2.w"] = layout.SecondNorm is null ? get(hf + "ln_1.weight").clone() : get(hf + second + ".weight");
            w[tl + "ln2.b"] = layout.SecondNorm is null ? get(hf + "ln_1.bias").clone() : get(hf + second + ".bias");
            SeparateHeads(s, get, w, "transformer." + hf + layout.Attention, hf + layout.Attention, tl + "attn.", h, d, m, "out_proj");
            Linear(get, s, hf + layout.MlpIn, w, tl + "mlp.W_in", tl + "mlp.b_in", "transformer.");
            Linear(get, s, hf + layout.MlpOut, w, tl + "mlp.W_out", tl + "mlp.b_out", "transformer.");
        }
        var top = Loader(s, "", dtype, device);
        w["unembed.W_U"] = c.TiedEmbeddings || !s.Contains("lm_head.weight") ? w["embed.W_E"].t() : top("lm_head.weight").t();
        if (s.Contains("lm_head.bias")) w["unembed.b_U"] = top("lm_head.bias");
        return w;
    }

    /// <summary>Linear <c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c> <c>[h · d_head, d_model]</c> and an output projection, biases where present.</summary>
    static void SeparateHeads(ITensorSource s, Func<string, Tensor> get, Dictionary<string, Tensor> w, string full, string hf, string tl, int h, int d, int m, string output)
    {
        foreach (var name in new[] { "Q", "K", "V" })
        {
            string proj = $"{name.ToLowerInvariant()}_proj.";
            var weight = get(hf + proj + "weight");
            CheckShape(s, full + proj + "weight", weight, h * d, m);
            w[tl + "W_" + name] = weight.view(h, d, m).permute(0, 2, 1);
            if (s.Contains(full + proj + "bias")) w[tl + "b_" + name] = get(hf + proj + "bias").view(h, d);
        }
        var o = get(hf + output + ".weight");
        CheckShape(s, full + output + ".weight", o, m, h * d);
        w[tl + "W_O"] = o.t().reshape(h, d, m);
        if (s.Contains(full + output + ".bias")) w[tl + "b_O"] = get(hf + output + ".bias");
    }
}
