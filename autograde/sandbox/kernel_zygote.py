"""The kernel template: runs inside the kernel's sandbox and forks a notebook kernel for each request.

Not imported by the kit: ``autograde.sandbox.kernel`` runs this file's text with ``python -S -c``
inside bubblewrap, where only the standard library and the student packages exist. It imports what
every notebook kernel needs once (ipykernel, numpy, matplotlib, tqdm, ipywidgets), listens on the
Unix socket named by ``argv[1]``, prints ``ready``, and then, for each connection (one
``kernel_relay`` per notebook kernel), reads ``{"connection_file", "cwd"}``, forks, and runs
ipykernel in the child, as ``python -m ipykernel_launcher -f <connection_file>`` would.

On the connection, the relay sends ``signal N`` (the child's process group gets signal N) and
this process answers ``{"pid": P}`` once and ``{"exit": code}`` or ``{"signal": N}`` when the
kernel ends. When the relay goes away, the kernel is killed. When no kernel is left, every other
process of the sandbox is killed (what a kernel left running never meets the next one).
"""
from __future__ import annotations

import importlib
import json
import os
import select
import signal
import socket
import sys
from collections.abc import Iterable, Mapping
from typing import Any, NoReturn


#: What every kernel imports, imported once here: each forked kernel starts with it. matplotlib's
#: inline backend is chosen by the kernel when the notebook asks (``%matplotlib inline``).
PRELOADED = ("ipykernel.kernelapp", "ipykernel.ipkernel", "matplotlib_inline.backend_inline", "matplotlib.pyplot",
             "numpy", "tqdm.auto", "ipywidgets")


def preload() -> None:
    for name in PRELOADED:
        importlib.import_module(name)


def run_kernel(request: Mapping[str, Any], listener: socket.socket, connections: Iterable[socket.socket],
               wakeup: int) -> NoReturn:
    """In the forked child: become the notebook's kernel; never returns."""
    code = 1
    try:
        listener.close()
        for connection in connections:
            connection.close()
        signal.set_wakeup_fd(-1)
        os.close(wakeup)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setpgid(0, 0)
        os.chdir(request["cwd"])
        import numpy

        numpy.random.seed()  # a fresh kernel's legacy global generator starts from fresh entropy, not the template's
        sys.argv = ["ipykernel_launcher", "-f", request["connection_file"]]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 0
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def send(connection: socket.socket, message: dict[str, int]) -> None:
    try:
        connection.sendall(json.dumps(message).encode() + b"\n")
    except OSError:
        pass


def kill_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def main(path: str) -> None:
    own_namespace = in_own_pid_namespace()
    preload()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen()
    wakeup, wakeup_write = os.pipe()
    os.set_blocking(wakeup_write, False)
    signal.set_wakeup_fd(wakeup_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    kernels: dict[socket.socket, int | None] = {}   # connection -> the kernel's pid (None until it is forked)
    buffers: dict[socket.socket, bytes] = {}        # connection -> bytes received and not yet a whole line
    print("ready", flush=True)
    os.dup2(2, 1)  # nobody reads the pipe that said so: what the kernels print at their start goes to stderr
    while True:
        watched: list[socket.socket | int] = [listener, wakeup, *kernels]
        ready, _, _ = select.select(watched, [], [])
        if listener in ready:
            connection, _ = listener.accept()
            kernels[connection], buffers[connection] = None, b""
        for connection in [c for c in ready if c in kernels]:
            data = connection.recv(65536)
            if not data:  # the relay is gone: so is its kernel
                kernel = kernels[connection]
                if kernel is not None:
                    kill_group(kernel, signal.SIGKILL)
                del kernels[connection], buffers[connection]
                connection.close()
                continue
            buffers[connection] += data
            *lines, buffers[connection] = buffers[connection].split(b"\n")
            for line in lines:
                kernel = kernels[connection]
                if kernel is None:
                    pid = os.fork()
                    if pid == 0:
                        run_kernel(json.loads(line), listener, list(kernels), wakeup)
                    kernels[connection] = pid
                    send(connection, {"pid": pid})
                elif line.startswith(b"signal "):
                    kill_group(kernel, int(line.split()[1]))
        if wakeup in ready:
            os.read(wakeup, 4096)
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            for connection, kernel in list(kernels.items()):
                if kernel == pid:
                    send(connection, {"signal": os.WTERMSIG(status)} if os.WIFSIGNALED(status)
                         else {"exit": os.WEXITSTATUS(status)})
                    del kernels[connection], buffers[connection]
                    connection.close()
        if own_namespace and not any(kernel is not None for kernel in kernels.values()):
            try:  # what the kernels left running: every process of the sandbox but this one and its init
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                pass


def in_own_pid_namespace() -> bool:
    """Whether this process sees only its sandbox's processes (then ``kill(-1)`` reaches nothing else):
    bubblewrap is the first process of the pid namespace it made."""
    try:
        with open("/proc/1/comm") as first:
            return first.read().strip() == "bwrap"
    except OSError:
        return False


if __name__ == "__main__":
    main(sys.argv[1])
