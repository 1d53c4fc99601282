"""Floods the kernel with output, through nbclient and then jupyter_client, and prints what arrived as JSON."""
import json
import time

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

LINES = 20000
FLOOD = f'for (var i = 0; i < {LINES}; i++) Console.WriteLine($"line {{i}}");'

nb = nbformat.v4.new_notebook()
nb.cells = [
    nbformat.v4.new_code_cell(FLOOD),
    nbformat.v4.new_code_cell('Console.WriteLine("a"); Console.Error.WriteLine("b"); Console.WriteLine("c"); 6 * 7'),
]
NotebookClient(nb, kernel_name="interp-kernel-csharp", timeout=120).execute()
flood_text = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.get("output_type") == "stream")
second = nb.cells[1].outputs
result = {
    "nbclient_lines": flood_text.splitlines(),
    "nbclient_second": [
        {"type": o["output_type"], "name": o.get("name"), "text": o.get("text"),
         "plain": o.get("data", {}).get("text/plain")} for o in second],
}

km = KernelManager(kernel_name="interp-kernel-csharp")
km.start_kernel()
kc = km.client()
kc.start_channels()
try:
    kc.wait_for_ready(timeout=60)
    messages = []
    started = time.monotonic()
    reply = kc.execute_interactive(FLOOD, timeout=120,
                                   output_hook=lambda m: messages.append((m["msg_type"], m["content"])))
    result["client_seconds"] = time.monotonic() - started
    result["client_status"] = reply["content"]["status"]
    streams = [c for t, c in messages if t == "stream"]
    result["client_stream_messages"] = len(streams)
    result["client_lines"] = "".join(c["text"] for c in streams).splitlines()
    result["client_last_status"] = [c["execution_state"] for t, c in messages if t == "status"][-1:]
    after = []
    kc.execute_interactive("1 + 1", timeout=60, output_hook=lambda m: after.append((m["msg_type"], m["content"])))
    result["client_next_result"] = [c["data"]["text/plain"] for t, c in after if t == "execute_result"]
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
result["expected_lines"] = LINES
print(json.dumps(result))
