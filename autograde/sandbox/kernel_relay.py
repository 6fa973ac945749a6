"""The process jupyter_client starts as a notebook's kernel when the kernel template serves it.

Not imported by the kit: ``autograde.sandbox.kernel`` runs this file's text with ``python -S -c``
(the standard library only, outside the sandbox), as ``relay SOCKET CONNECTION_FILE CWD``. It asks
the kernel template (``kernel_zygote``) listening on SOCKET for a kernel, then stands for that
kernel: the signals it gets (an interrupt) go to the kernel, it ends when the kernel ends, with the
kernel's exit status, and when it is killed the template kills the kernel.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import sys
from types import FrameType


def main(path: str, connection_file: str, cwd: str) -> None:
    template = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    template.connect(path)

    def forward(signum: int, _frame: FrameType | None) -> None:
        try:
            template.sendall(f"signal {signum}\n".encode())
        except OSError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(signum, forward)
    template.sendall(json.dumps({"connection_file": connection_file, "cwd": cwd}).encode() + b"\n")
    for line in template.makefile("rb"):
        message = json.loads(line)
        if "exit" in message:
            os._exit(message["exit"])
        if "signal" in message:  # end as the kernel did
            if message["signal"] != signal.SIGKILL:
                signal.signal(message["signal"], signal.SIG_DFL)
            os.kill(os.getpid(), message["signal"])
    os._exit(1)  # the template is gone, and the kernel with it


if __name__ == "__main__":
    main(*sys.argv[1:4])
