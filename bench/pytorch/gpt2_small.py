#!/usr/bin/python3
"""PyTorch baseline for the hooked-transformer core benchmark.

A plain GPT-2 forward written with torch ops (Linear-style products, LayerNorm, tanh GELU, causal attention that
materialises the [batch, head, query, key] pattern as TransformerLens does) with random weights, at the shapes of
GPT-2 small. Runs under Debian's python3-torch (torch 1.13, /usr/bin/python3).

Two variants of the products:
  netlib  every product through F.linear / torch.matmul, i.e. the reference BLAS the Debian package links;
  onednn  the projections, MLP and unembedding through oneDNN (torch._C._nn.mkldnn_linear), bundled with this build;
          the attention products stay on torch.matmul.

Without arguments every case runs in its own child process (so that its peak RSS is its own) and one JSON object
is printed. With --case/--variant/--batch/--runs one case runs and prints one JSON line.
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

LAYERS, D_MODEL, HEADS, D_HEAD, D_MLP, N_CTX, VOCAB = 12, 768, 12, 64, 3072, 1024, 50257
PROMPT, NEW_TOKENS = 128, 32

# (case, variant, batch, runs): netlib is ~15x slower than oneDNN here, so it runs at batch 1 only.
PLAN = [
    ("forward", "onednn", 1, 7),
    ("forward", "onednn", 8, 3),
    ("forward", "netlib", 1, 2),
    ("generate-kv", "onednn", 1, 3),
    ("generate-kv", "onednn", 8, 2),
]


def peak_mib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError("/proc/self/status has no VmHWM line")


class Gpt2:
    def __init__(self, variant, seed=0):
        g = torch.Generator().manual_seed(seed)

        def rand(*shape):
            return torch.randn(*shape, generator=g).mul_(0.02)

        self.variant = variant
        self.wte = rand(VOCAB, D_MODEL)
        self.wpe = rand(N_CTX, D_MODEL)
        self.layers = []
        for _ in range(LAYERS):
            self.layers.append({
                "ln1": (torch.ones(D_MODEL), torch.zeros(D_MODEL)),
                "qkv": self.linear_weights(rand(3 * D_MODEL, D_MODEL), torch.zeros(3 * D_MODEL)),
                "out": self.linear_weights(rand(D_MODEL, D_MODEL), torch.zeros(D_MODEL)),
                "ln2": (torch.ones(D_MODEL), torch.zeros(D_MODEL)),
                "fc": self.linear_weights(rand(D_MLP, D_MODEL), torch.zeros(D_MLP)),
                "proj": self.linear_weights(rand(D_MODEL, D_MLP), torch.zeros(D_MODEL)),
            })
        self.ln_f = (torch.ones(D_MODEL), torch.zeros(D_MODEL))
        self.unembed = self.linear_weights(rand(VOCAB, D_MODEL), torch.zeros(VOCAB))

    def linear_weights(self, weight, bias):  # weight [out, in], as nn.Linear stores it
        return (weight.to_mkldnn() if self.variant == "onednn" else weight, bias)

    def linear(self, x, weights):
        weight, bias = weights
        if self.variant == "netlib":
            return F.linear(x, weight, bias)
        flat = x.reshape(-1, x.shape[-1]).contiguous().to_mkldnn()
        return torch._C._nn.mkldnn_linear(flat, weight, bias).to_dense().view(*x.shape[:-1], -1)

    def attention(self, x, layer, past):
        batch, pos, _ = x.shape
        q, k, v = self.linear(x, layer["qkv"]).split(D_MODEL, dim=-1)
        q, k, v = (t.reshape(batch, pos, HEADS, D_HEAD).transpose(1, 2) for t in (q, k, v))  # [batch, head, pos, d_head]
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        keys = k.shape[2]
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(D_HEAD)  # [batch, head, query, key]
        future = torch.ones(pos, keys, dtype=torch.bool).triu(keys - pos + 1)
        pattern = scores.masked_fill(future, float("-inf")).softmax(-1)
        z = torch.matmul(pattern, v).transpose(1, 2).reshape(batch, pos, D_MODEL)
        return self.linear(z, layer["out"]), (k, v)

    def forward(self, tokens, cache=None):
        offset = cache[0][0].shape[2] if cache else 0
        pos = tokens.shape[1]
        x = self.wte[tokens] + self.wpe[offset:offset + pos]
        new_cache = []
        for i, layer in enumerate(self.layers):
            attn, kv = self.attention(F.layer_norm(x, (D_MODEL,), *layer["ln1"], 1e-5), layer, cache[i] if cache else None)
            x = x + attn
            hidden = F.gelu(self.linear(F.layer_norm(x, (D_MODEL,), *layer["ln2"], 1e-5), layer["fc"]), approximate="tanh")
            x = x + self.linear(hidden, layer["proj"])
            new_cache.append(kv)
        logits = self.linear(F.layer_norm(x, (D_MODEL,), *self.ln_f, 1e-5), self.unembed)
        return logits, new_cache

    def generate_kv(self, tokens, new_tokens):
        logits, cache = self.forward(tokens)
        sequence = tokens
        for step in range(new_tokens):
            chosen = logits[:, -1].argmax(-1, keepdim=True)
            sequence = torch.cat([sequence, chosen], dim=1)
            if step + 1 < new_tokens:
                logits, cache = self.forward(chosen, cache)
        return sequence


def timed(action, runs):
    action()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return times


def run_case(case, variant, batch, runs):
    torch.manual_seed(1)
    with torch.no_grad():
        if case == "gemm":
            a, w = torch.randn(1024, D_MODEL), torch.randn(D_MLP, D_MODEL)
            if variant == "onednn":
                wm = w.to_mkldnn()
                action = lambda: torch._C._nn.mkldnn_linear(a.to_mkldnn(), wm, None).to_dense()
            else:
                action = lambda: F.linear(a, w)
            times = timed(action, runs)
            return {"case": case, "variant": variant, "batch": 0, "runs": runs,
                    "gflops": 2 * 1024 * D_MODEL * D_MLP / (statistics.median(times) / 1000) / 1e9}
        model = Gpt2(variant)
        tokens = torch.randint(0, VOCAB, (batch, PROMPT))
        if case == "forward":
            action = lambda: model.forward(tokens)
        elif case == "generate-kv":
            action = lambda: model.generate_kv(tokens, NEW_TOKENS)
        else:
            raise SystemExit(f"unknown case {case!r}: use gemm, forward or generate-kv")
        times = timed(action, runs)
    return {"case": case, "variant": variant, "batch": batch, "runs": runs, "median_ms": statistics.median(times),
            "min_ms": min(times), "max_ms": max(times), "peak_mib": peak_mib()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case")
    parser.add_argument("--variant", default="onednn", choices=["onednn", "netlib"])
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", os.cpu_count())))
    parser.add_argument("--quick", action="store_true", help="one run per case")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    if args.case:
        print(json.dumps(run_case(args.case, args.variant, args.batch, args.runs)))
        return

    def child(case, variant, batch, runs):
        command = [sys.executable, os.path.abspath(__file__), "--case", case, "--variant", variant, "--batch", str(batch),
                   "--runs", str(1 if args.quick else runs), "--threads", str(args.threads)]
        print(f"pytorch baseline: {case} {variant} batch {batch}", file=sys.stderr)
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True)
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            return {"case": case, "variant": variant, "batch": batch, "error": f"exit code {done.returncode}"}
        return json.loads(lines[-1])

    gemm = {v: child("gemm", v, 0, 10).get("gflops") for v in ("netlib", "onednn")}
    result = {
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "threads": args.threads,
        "blas": "reference (netlib) BLAS via Debian's libblas3" if "BLAS_INFO=generic" in torch.__config__.show()
        else "see torch.__config__.show()",
        "gemm_gflops_netlib": round(gemm["netlib"], 1) if gemm["netlib"] else None,
        "gemm_gflops_onednn": round(gemm["onednn"], 1) if gemm["onednn"] else None,
        "cases": [child(*entry) for entry in PLAN],
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
