"""Merges the GPU bench's JSON (InterpKernel) and hf_baseline.py's JSON into one markdown section.

Usage: python3 bench/gpu/report.py ours.json hf.json [ours-memory.json] > section.md
"""
import json, sys

NAMES = {
    "forward": "forward",
    "cache_all": "forward keeping every activation (HF: eager, output_hidden_states + output_attentions)",
    "cache_resid_post": "RunWithCache of hook_resid_post only (HF: output_hidden_states)",
    "generate_32": "greedy generation of 32 tokens, key/value cache (HF: generate())",
    "patch_resid_pre_per_patch": "resid_pre patching, per patch: batched (HF: one forward per patch with a hook)",
    "patch_resid_pre_one_forward_per_patch": "resid_pre patching, per patch: one forward per patch",
    "build_s": "building the model with random weights (s)",
    "weights_gib": "weights (GiB)",
    "forward_8x512_peak_allocated_gib": "peak allocated during a forward 8×512 (GiB, logits included)",
    "forward_8x512_peak_over_weights": "peak allocated during a forward 8×512 / weights",
    "cache_resid_post_8x512_peak_allocated_gib": "peak allocated, RunWithCache of hook_resid_post 8×512 (GiB)",
    "cache_resid_post_8x512_peak_over_weights_plus_cache": "the same / (weights + cached activations)",
}


def describe(key):
    model, _, rest = key.partition(".")
    unit = "ms" if rest.endswith("_ms") else ""
    rest = rest[:-3] if rest.endswith("_ms") else rest
    for stem, text in sorted(NAMES.items(), key=lambda kv: -len(kv[0])):
        if rest.startswith(stem):
            shape = rest[len(stem):].strip("_").replace("x", "×")
            return model, f"{text}{' ' + shape if shape else ''}{' (' + unit + ')' if unit else ''}"
    return model, rest


def main():
    ours = json.load(open(sys.argv[1]))
    hf = json.load(open(sys.argv[2])) if len(sys.argv) > 2 and sys.argv[2] != "-" else {"values": {}}
    mem = json.load(open(sys.argv[3])) if len(sys.argv) > 3 else {"values": {}, "notes": [], "parity": []}
    values = dict(ours.get("values", {}))
    values.update(mem.get("values", {}))
    theirs = hf.get("values", {})
    if ours.get("parity"):
        print("| parity: CPU against the GPU | value | bound | |")
        print("| --- | ---: | ---: | --- |")
        for p in ours["parity"]:
            bound = "" if p["bound"] is None else f"{p['bound']:.3g}"
            print(f"| {p['check']} | {p['value']:.3g} | {bound} | {'pass' if p['pass'] else '**FAIL**'} |")
        print()
    print("| model | measure | InterpKernel | transformers | InterpKernel / transformers |")
    print("| --- | --- | ---: | ---: | ---: |")
    for key in sorted(set(values) | set(theirs)):
        model, what = describe(key)
        a, b = values.get(key), theirs.get(key)
        ratio = f"{a / b:.2f}" if a is not None and b else ""
        fa = "" if a is None else f"{a:.4g}"
        fb = "" if b is None else f"{b:.4g}"
        print(f"| {model} | {what} | {fa} | {fb} | {ratio} |")
    print()
    for note in ours.get("notes", []) + mem.get("notes", []):
        print(note)
        print()
    if hf.get("torch"):
        print(f"Baseline: PyTorch {hf['torch']}, transformers {hf['transformers']}, {hf.get('gpu', '')}; "
              "transformers peak memory is torch.cuda.max_memory_allocated().")
        print()


if __name__ == "__main__":
    main()
