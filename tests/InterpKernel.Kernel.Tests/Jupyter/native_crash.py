"""Runs a cell whose C++ exception escapes TorchSharp through jupyter_client and prints JSON: what the front end
received for that cell (its error output, reply and last status) and whether the kernel process ended."""
import json
import sys
import time

from jupyter_client.manager import KernelManager

code = sys.argv[1]
km = KernelManager(kernel_name="interp-kernel-csharp")
km.start_kernel()
kc = km.client()
kc.start_channels()
try:
    kc.wait_for_ready(timeout=60)
    msg_id = kc.execute(code)
    errors, states = [], []
    while True:
        msg = kc.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "error":
            errors.append(msg["content"])
        if msg["msg_type"] == "status":
            states.append(msg["content"]["execution_state"])
            if states[-1] == "idle":
                break
    reply = kc.get_shell_msg(timeout=60)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=60)
    deadline = time.monotonic() + 30
    while km.is_alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    result = {
        "errors": errors,
        "states": states,
        "reply_status": reply["content"]["status"],
        "reply_ename": reply["content"].get("ename"),
        "alive": km.is_alive(),
        "exit_code": km.provisioner.process.poll() if km.provisioner and km.provisioner.process else None,
    }
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
print(json.dumps(result))
