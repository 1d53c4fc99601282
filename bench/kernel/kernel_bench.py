"""Measures a kernel through jupyter_client: time from process start to the first kernel_info reply, how long after
that reply a completion request first answers with matches, the first cell, and the round trip of a trivial cell
(execute_request to the idle status that ends it). For the C# kernel it also times `#!model load` of a checkpoint
folder against `HookedTransformer.FromPretrained` of the same folder in a cell, each in a fresh kernel. Arguments: the
number of runs, then the kernel names to measure in turn (default interp-kernel-csharp, then IPython's python3)."""
import json
import os
import statistics
import sys
import time

from jupyter_client.manager import KernelManager

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 50
KERNELS = sys.argv[2:] or ["interp-kernel-csharp", "python3"]
MODEL = os.environ.get("KERNEL_BENCH_MODEL", os.path.join(os.path.dirname(__file__), "..", "..", "models", "kjv-gpt2-2l"))
# A prefix each kernel completes once its compiler (or interpreter) is ready: the C# one answers nothing until then.
COMPLETE = {"python3": ("import math\nmath.sq", None), "interp-kernel-csharp": ("Math.Sq", None)}


def start(name):
    km = KernelManager(kernel_name=name)
    started = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.kernel_info()
    while True:
        reply = kc.get_shell_msg(timeout=60)
        if reply["msg_type"] == "kernel_info_reply":
            break
    return km, kc, time.perf_counter() - started


def stop(km, kc):
    kc.stop_channels()
    km.shutdown_kernel(now=False)


def run_cell(kc, code):
    begin = time.perf_counter()
    reply = kc.execute_interactive(code, timeout=120, output_hook=lambda m: None)
    assert reply["content"]["status"] == "ok", reply["content"]
    return time.perf_counter() - begin


def completions_ready(kc, name):
    """Seconds from now until a completion request answers with at least one match."""
    code = COMPLETE.get(name, ("", None))[0]
    begin = time.perf_counter()
    while True:
        msg_id = kc.complete(code, len(code))
        while True:
            reply = kc.get_shell_msg(timeout=60)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"].get("matches"):
            return time.perf_counter() - begin
        if time.perf_counter() - begin > 60:
            return float("nan")
        time.sleep(0.02)


def measure(name):
    km, kc, ready = start(name)
    complete = completions_ready(kc, name)
    first = run_cell(kc, "1+1")
    for _ in range(5):
        run_cell(kc, "1+1")
    samples = [run_cell(kc, "1+1") for _ in range(RUNS)]
    stop(km, kc)
    result = {
        "kernel": name,
        "ready_seconds": round(ready, 3),
        "completions_ready_after_kernel_info_s": round(complete, 3),
        "first_cell_ms": round(first * 1000, 1),
        "trivial_cell_median_ms": round(statistics.median(samples) * 1000, 2),
        "trivial_cell_p90_ms": round(sorted(samples)[int(0.9 * len(samples))] * 1000, 2),
        "runs": RUNS,
    }
    if name == "interp-kernel-csharp" and os.path.isdir(MODEL):
        folder = os.path.abspath(MODEL)
        magic, code = [], []
        for _ in range(3):
            # Each in a fresh kernel after one warm-up cell, so neither pays for the other's JIT or page cache misses.
            km, kc, _ = start(name)
            run_cell(kc, "1+1")
            magic.append(run_cell(kc, f"#!model load {folder}"))
            stop(km, kc)
            km, kc, _ = start(name)
            run_cell(kc, "1+1")
            code.append(run_cell(kc, f'var m = InterpKernel.HookedTransformer.FromPretrained(@"{folder}");'))
            stop(km, kc)
        result["model_load_magic_ms"] = round(statistics.median(magic) * 1000, 1)
        result["from_pretrained_cell_ms"] = round(statistics.median(code) * 1000, 1)
        result["magic_over_cell"] = round(statistics.median(magic) / statistics.median(code), 2)
    print(json.dumps(result), flush=True)


for kernel in KERNELS:
    measure(kernel)
