"""Runs cells that read Console.ReadLine() through jupyter_client, with and without allow_stdin, and prints JSON."""
import json

from jupyter_client.manager import KernelManager


def run(kc, code, allow_stdin, answer=None):
    msg_id = kc.execute(code, allow_stdin=allow_stdin)
    request = None
    if allow_stdin:
        request = kc.get_stdin_msg(timeout=60)
        kc.input(answer)
    reply = kc.get_shell_msg(timeout=60)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=60)
    outputs = []
    while True:
        msg = kc.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
        if msg["msg_type"] in ("stream", "execute_result"):
            outputs.append(msg["content"].get("text") or msg["content"]["data"]["text/plain"])
    return {
        "request": None if request is None else {
            "type": request["msg_type"], "prompt": request["content"]["prompt"],
            "parent": request["parent_header"].get("msg_id") == msg_id},
        "status": reply["content"]["status"],
        "outputs": outputs,
    }


km = KernelManager(kernel_name="interp-kernel-csharp")
km.start_kernel()
kc = km.client()
kc.start_channels()
try:
    kc.wait_for_ready(timeout=60)
    result = {
        "allowed": run(kc, 'Console.Write("name? "); var name = Console.ReadLine(); "hello " + name', True, "Ada"),
        "refused": run(kc, 'Console.ReadLine() is null', False),
    }
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
print(json.dumps(result))
