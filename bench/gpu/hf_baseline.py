"""Hugging Face transformers on the same device and shapes as bench/InterpKernel.Bench.Gpu: the baseline.

Usage: python3 bench/gpu/hf_baseline.py [--device cuda] [--dtype bfloat16] [--only kjv,llama] [--small] [--runs N]
       [--model models/kjv-gpt2-2l] [--json out.json]
Keys match the C# bench's: kjv.* (the embedded GPT-2 model, float32) and llama8b.* (a Llama-3-8B-shaped model with
random weights, sdpa attention; the cached forward is eager attention with output_hidden_states and output_attentions).
"""
import argparse, json, os, sys, time

import torch
import transformers
from transformers import GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

CLEAN = "And Abraham said unto Isaac, Behold the fire. And Abraham said unto"
CORRUPT = "And Jacob said unto Isaac, Behold the fire. And Abraham said unto"


def sync(device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def median_ms(device, warmup, runs, fn):
    for _ in range(warmup):
        fn()
    sync(device)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        sync(device)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    n = len(times)
    return times[n // 2] if n % 2 else (times[n // 2 - 1] + times[n // 2]) / 2


def kjv(args, out):
    tok_path = args.model
    # The tokenizers library directly: transformers 5's GPT2TokenizerFast built from vocab.json + merges.txt encodes to
    # an empty list.
    from tokenizers import ByteLevelBPETokenizer
    bpe = ByteLevelBPETokenizer(os.path.join(tok_path, "vocab.json"), os.path.join(tok_path, "merges.txt"))

    class tok:
        encode = staticmethod(lambda text: bpe.encode(text).ids)
        convert_tokens_to_ids = staticmethod(bpe.token_to_id)
    dtype = torch.float16 if args.dtype == "float16" else torch.float32
    model = GPT2LMHeadModel.from_pretrained(tok_path, dtype=dtype, attn_implementation="sdpa").to(args.device).eval()
    eager = GPT2LMHeadModel.from_pretrained(tok_path, dtype=dtype, attn_implementation="eager").to(args.device).eval()
    bos = tok.convert_tokens_to_ids("<|endoftext|>")
    clean = torch.tensor([[bos] + tok.encode(CLEAN)], device=args.device)
    corrupt = torch.tensor([[bos] + tok.encode(CORRUPT)], device=args.device)
    pos = clean.shape[1]
    batch8 = clean.repeat(8, 1)
    with torch.no_grad():
        out[f"kjv.forward_1x{pos}_ms"] = median_ms(args.device, 3, args.runs, lambda: model(clean))
        out[f"kjv.forward_8x{pos}_ms"] = median_ms(args.device, 3, args.runs, lambda: model(batch8))
        out[f"kjv.cache_all_1x{pos}_ms"] = median_ms(
            args.device, 3, args.runs, lambda: eager(clean, output_hidden_states=True, output_attentions=True))
        out["kjv.generate_32_ms"] = median_ms(args.device, 1, max(3, args.runs // 3), lambda: model.generate(
            clean, max_new_tokens=32, min_new_tokens=32, do_sample=False, pad_token_id=bos, attention_mask=torch.ones_like(clean)))
        # Activation patching the TransformerLens way: one forward per (layer, position), a hook writing the clean value.
        good, bad = tok.encode(" Isaac")[0], tok.encode(" Jacob")[0]
        clean_h = model(clean, output_hidden_states=True).hidden_states  # hidden_states[l] enters block l
        blocks = model.transformer.h

        def sweep():
            for layer in range(len(blocks)):
                for p in range(pos):
                    def hook(module, a, kwargs, layer=layer, p=p):
                        positional = len(a) > 0
                        h = (a[0] if positional else kwargs["hidden_states"]).clone()
                        h[:, p] = clean_h[layer][:, p]
                        if positional:
                            return (h,) + tuple(a[1:]), kwargs
                        return a, {**kwargs, "hidden_states": h}
                    handle = blocks[layer].register_forward_pre_hook(hook, with_kwargs=True)
                    try:
                        logits = model(corrupt).logits
                        (logits[0, -1, good] - logits[0, -1, bad]).item()
                    finally:
                        handle.remove()
        out["kjv.patch_resid_pre_per_patch_ms"] = median_ms(args.device, 1, 3, sweep) / (len(blocks) * pos)


def llama(args, out):
    full = not args.small
    cfg = LlamaConfig(
        hidden_size=4096 if full else 256, num_attention_heads=32 if full else 8, num_key_value_heads=8 if full else 2,
        head_dim=128 if full else 32, num_hidden_layers=32 if full else 2, intermediate_size=14336 if full else 896,
        max_position_embeddings=8192 if full else 2048, vocab_size=128256 if full else 4096, rope_theta=500000.0,
        rms_norm_eps=1e-5, tie_word_embeddings=False)
    dtype = {"bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32}[args.dtype]
    prefix = "llama8b" if full else "llama-small"
    cuda = args.device.startswith("cuda")
    if cuda:
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    t = time.perf_counter()
    with torch.device(args.device):
        try:
            model = LlamaForCausalLM._from_config(cfg, dtype=dtype, attn_implementation="sdpa").eval()
        except TypeError:  # transformers 4.x names it torch_dtype
            model = LlamaForCausalLM._from_config(cfg, torch_dtype=dtype, attn_implementation="sdpa").eval()
    sync(args.device)
    out[f"{prefix}.build_s"] = time.perf_counter() - t
    weights = sum(p.numel() * p.element_size() for p in model.parameters())
    out[f"{prefix}.weights_gib"] = weights / 2**30
    g = torch.Generator(device=args.device).manual_seed(1)
    with torch.no_grad():
        for b, p in [(1, 128), (1, 2048), (8, 512)]:
            tokens = torch.randint(cfg.vocab_size, (b, p), device=args.device, generator=g)
            out[f"{prefix}.forward_{b}x{p}_ms"] = median_ms(args.device, 2, args.runs, lambda: model(tokens))
            out[f"{prefix}.cache_resid_post_{b}x{p}_ms"] = median_ms(
                args.device, 2, args.runs, lambda: model(tokens, output_hidden_states=True))
            if cuda and (b, p) == (8, 512):
                torch.cuda.reset_peak_memory_stats()
                model(tokens)
                peak = torch.cuda.max_memory_allocated()
                out[f"{prefix}.forward_8x512_peak_allocated_gib"] = peak / 2**30
                out[f"{prefix}.forward_8x512_peak_over_weights"] = peak / weights
        tokens = torch.randint(cfg.vocab_size, (1, 2048), device=args.device, generator=g)
        if hasattr(model, "set_attn_implementation"):
            model.set_attn_implementation("eager")
        else:
            model.config._attn_implementation = "eager"
        out[f"{prefix}.cache_all_1x2048_ms"] = median_ms(
            args.device, 1, max(3, args.runs // 2), lambda: model(tokens, output_hidden_states=True, output_attentions=True))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--dtype", default="bfloat16")
    ap.add_argument("--only", default="kjv,llama")
    ap.add_argument("--small", action="store_true")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--model", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models", "kjv-gpt2-2l"))
    ap.add_argument("--json")
    args = ap.parse_args()
    out = {}
    only = set(args.only.split(","))
    if "kjv" in only:
        kjv(args, out)
    if "llama" in only:
        llama(args, out)
    for k, v in sorted(out.items()):
        print(f"{k}: {v:.4g}", file=sys.stderr)
    doc = {"values": out, "torch": torch.__version__, "transformers": transformers.__version__,
           "gpu": torch.cuda.get_device_name() if args.device.startswith("cuda") else "cpu"}
    text = json.dumps(doc, indent=2)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text)
    print(text)


if __name__ == "__main__":
    main()
