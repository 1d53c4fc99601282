"""Drives interp-kernel through jupyter_client and prints one JSON object of observations."""
import atexit
import json
import time

import zmq
from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

result = {}
km = None


def cleanup():
    if km is not None and km.has_kernel and km.is_alive():
        km.shutdown_kernel(now=True)


atexit.register(cleanup)
started = time.monotonic()
km = KernelManager(kernel_name="interp-kernel-csharp")
km.start_kernel()
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=60)
result["ready_seconds"] = time.monotonic() - started

info = kc.kernel_info(reply=True, timeout=30)["content"]
result["kernel_info"] = {
    "protocol_version": info["protocol_version"],
    "implementation": info["implementation"],
    "language": info["language_info"]["name"],
    "file_extension": info["language_info"]["file_extension"],
}


def run(code, timeout=60):
    outputs = []
    reply = kc.execute_interactive(
        code, timeout=timeout, output_hook=lambda m: outputs.append({"type": m["msg_type"], "content": m["content"]}))
    return {"reply": reply["content"], "outputs": [o for o in outputs if o["type"] != "status"]}


result["declare"] = run("var x = 40;")
result["state"] = run("x + 2")
result["display"] = run('Console.WriteLine("out"); display("<b>hi</b>", "text/html");')
result["runtime_error"] = run('throw new InvalidOperationException("boom");')
result["compile_error"] = run('var ok = 1;\nint y = "s";')

msg_id = kc.execute("while (true) { }")
time.sleep(1.0)
interrupt_started = time.monotonic()
km.interrupt_kernel()
while True:
    reply = kc.get_shell_msg(timeout=30)
    if reply["parent_header"].get("msg_id") == msg_id:
        break
result["interrupt"] = {"reply": reply["content"], "seconds": time.monotonic() - interrupt_started}
result["after_interrupt"] = run("1 + 1")



def replies_to(ids):
    statuses = {}
    while len(statuses) < len(ids):
        reply = kc.get_shell_msg(timeout=60)
        parent = reply["parent_header"].get("msg_id")
        if parent in ids:
            statuses[parent] = reply["content"]["status"]
    return [statuses[i] for i in ids]


# Run All: three cells sent at once, the first fails; then the same with stop_on_error off.
result["run_all"] = replies_to([kc.execute('throw new Exception("first");'), kc.execute("1 + 1"), kc.execute("2 + 2")])
result["run_all_no_stop"] = replies_to([
    kc.execute('throw new Exception("first");', stop_on_error=False), kc.execute("3 + 3"), kc.execute("4 + 4")])
result["after_run_all"] = run("5 + 5")

# A request signed with the wrong key, sent on a raw socket, must be dropped without running.
context = zmq.Context()
raw = context.socket(zmq.DEALER)
raw.connect(f"{km.transport}://{km.ip}:{km.shell_port}")
forger = Session(key=b"not-the-connection-key")
forger.send(raw, "execute_request", content={
    "code": "var forged = 1;", "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False})
unsigned = Session(key=b"")
unsigned.send(raw, "execute_request", content={
    "code": "var unsigned = 1;", "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False})
time.sleep(0.5)
result["forged_visible"] = run("forged")
result["unsigned_visible"] = run("unsigned")
result["after_forged"] = run("2 + 2")
raw.close(linger=0)



def request(send):
    sent = send()
    while True:
        reply = kc.get_shell_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == sent:
            return reply["content"]


result["complete"] = request(lambda: kc.complete("Math.Ma", 7))
result["inspect"] = request(lambda: kc.inspect("x", 1))
result["is_complete"] = request(lambda: kc.is_complete("for (;;) {"))
result["comm_info"] = request(lambda: kc.comm_info())

kc.stop_channels()
km.shutdown_kernel(now=False)
result["alive_after_shutdown"] = km.is_alive()
print(json.dumps(result))
