"""Measures a kernel through jupyter_client: time from process start to the first kernel_info reply, the first
cell, and the round trip of a trivial cell (execute_request to the idle status that ends it). Arguments: the number
of runs, then the kernel names to measure in turn (default interp-kernel-csharp, then IPython's python3)."""
import json
import statistics
import sys
import time

from jupyter_client.manager import KernelManager

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 50
KERNELS = sys.argv[2:] or ["interp-kernel-csharp", "python3"]


def measure(name):
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
    ready = time.perf_counter() - started

    def trivial_cell():
        begin = time.perf_counter()
        reply = kc.execute_interactive("1+1", timeout=60, output_hook=lambda m: None)
        assert reply["content"]["status"] == "ok", reply["content"]
        return time.perf_counter() - begin

    first = trivial_cell()
    for _ in range(5):
        trivial_cell()
    samples = [trivial_cell() for _ in range(RUNS)]
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    print(json.dumps({
        "kernel": name,
        "ready_seconds": round(ready, 3),
        "first_cell_ms": round(first * 1000, 1),
        "trivial_cell_median_ms": round(statistics.median(samples) * 1000, 2),
        "trivial_cell_p90_ms": round(sorted(samples)[int(0.9 * len(samples))] * 1000, 2),
        "runs": RUNS,
    }))


for kernel in KERNELS:
    measure(kernel)
