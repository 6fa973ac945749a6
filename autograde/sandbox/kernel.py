"""The student's notebook kernel in a sandbox: nbgrader executes the notebook through ``SandboxedKernelManager``.

Configured as ``c.Execute.kernel_manager_class`` in the course's nbgrader_config.py. The kernel
(ipykernel) runs in bubblewrap, like the student's modules (``process``):

- no network: it talks to nbclient over ipc sockets in a private folder bound into the sandbox;
- its own pid namespace, a new session, and, started as root, an unprivileged user of its own (the
  process limit binds it);
- read-only: the system's libraries, Python, and the student packages only (ipykernel, numpy,
  matplotlib, ipywidgets, tqdm and what they require: nothing else of the environment, never the
  kit, solutions or checks, however the kit is installed), and the grading data's ``.npz`` files;
- read-write: a private copy of the notebook's folder (the release's files and the submission),
  bound where the folder is, so the notebook runs as it would anywhere, and a small ``/tmp``. What
  the kernel writes there is thrown away with the copy: it never reaches the checks, the
  autograded folder, the feedback or the next submission;
- the environment: only what a notebook needs (``DLKIT_DATA``, ``DLKIT_QUICK``), never the
  instructor's variables;
- resource limits (``autograde.limits.Limits``): memory, CPU time, processes, file size.
"""
from __future__ import annotations

import functools
import importlib.metadata
import os
import re
import resource
import shutil
import signal
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Dict

from autograde.limits import Limits
from autograde.sandbox.process import _bwrap_command, python_binds, require_bubblewrap, sandbox_uid

#: What the kernel may import: a student's packages, with what they require.
KERNEL_PACKAGES = ("ipykernel", "numpy", "matplotlib", "ipywidgets", "tqdm")
#: Where those packages appear inside the sandbox.
SITE = "/sandbox/site"
#: Variables of the grader's environment a notebook may see.
PASSED_ON = ("DLKIT_DATA", "DLKIT_QUICK")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.cache
def site_entries(roots=KERNEL_PACKAGES) -> tuple[Path, ...]:
    """The top-level entries (packages, modules, ``.libs`` folders) of ``roots`` and of every distribution they
    require, recursively (markers evaluated here, extras left out), as installed in this environment."""
    from packaging.markers import default_environment
    from packaging.requirements import Requirement

    environment = {**default_environment(), "extra": ""}
    found: dict[str, importlib.metadata.Distribution] = {}
    waiting = list(roots)
    while waiting:
        name = _canonical(waiting.pop())
        if name in found:
            continue
        found[name] = importlib.metadata.distribution(name)
        for text in found[name].requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate(environment):
                waiting.append(requirement.name)
    entries = set()
    for distribution in found.values():
        base = Path(distribution.locate_file(""))
        for file in distribution.files or []:
            first = file.parts[0]
            if first not in ("..", "__pycache__") and not first.endswith(".pth"):
                entries.add(base / first)
    return tuple(sorted(path for path in entries if path.exists()))


def data_files(environment: dict) -> list[str]:
    """The prepared datasets (``*.npz``) of the data folder a notebook reads (``DLKIT_DATA``)."""
    folder = Path(environment.get("DLKIT_DATA", ""))
    return sorted(str(path) for path in folder.glob("*.npz")) if folder.is_dir() else []


class SandboxedKernelManager(AsyncKernelManager):
    """Starts the notebook's kernel in bubblewrap (see the module's docstring); without bubblewrap, as usual."""

    limits = Dict(help="What the kernel may use: the fields of autograde.limits.Limits").tag(config=True)

    _private: Path | None = None

    async def _async_pre_start_kernel(self, **kw):
        if not require_bubblewrap(Limits(**self.limits)):
            return await super()._async_pre_start_kernel(**kw)
        self._remove_private()
        self._private = Path(tempfile.mkdtemp(prefix="dlkit-kernel-", dir=_socket_folder()))
        # ipc sockets beside the connection file: they reach the kernel through the bind, never a network.
        self.transport = "ipc"
        self.connection_file = str(self._private / "connection.json")
        self.ip = str(self._private / "k")
        folder = Path(kw.get("cwd") or os.getcwd()).resolve()
        copy = self._private / "notebook"
        shutil.copytree(folder, copy, symlinks=True)
        command, kw = await super()._async_pre_start_kernel(**kw)
        limits = Limits(**self.limits)
        uid = sandbox_uid() if os.getuid() == 0 else 0
        if uid:
            for path in [self._private, *self._private.rglob("*")]:
                os.lchown(path, uid, uid)
        self._private.chmod(0o700)
        environment = {name: kw.get("env", os.environ).get(name) for name in PASSED_ON}
        environment = {name: value for name, value in environment.items() if value}
        kw["env"] = {"PATH": "/usr/bin:/bin"}
        kw["preexec_fn"] = functools.partial(_limit_resources, limits, bool(uid))
        kw["cwd"] = str(self._private)
        return self._bwrap(command, folder, copy, environment, uid, limits), kw

    def _bwrap(self, command: list[str], folder: Path, copy: Path, environment: dict, uid: int,
               limits: Limits) -> list[str]:
        python, binds = python_binds()
        binds += [(str(entry), f"{SITE}/{entry.name}") for entry in site_entries()]
        binds += [(path, path) for path in data_files(environment)]
        binds += [(path, path) for path in ("/etc/fonts",) if os.path.isdir(path)]
        rw_binds = [(str(copy), str(folder)), (str(self._private), str(self._private))]
        connection = command[command.index("-f") + 1] if "-f" in command else self.connection_file
        kernel = [python, "-S", "-m", "ipykernel_launcher", "-f", connection]
        start = ([python, "-S", "-c", DROP_PRIVILEGES, str(uid)] if uid else []) + kernel
        variables = {"HOME": "/tmp", "PYTHONPATH": SITE, "MPLCONFIGDIR": "/tmp", "OPENBLAS_NUM_THREADS": "1",
                     "OMP_NUM_THREADS": "1", **environment}
        return _bwrap_command(binds, limits.scratch_bytes, start, rw_binds=rw_binds, chdir=str(folder),
                              variables=variables, scratch="/tmp", set_uid=bool(uid))

    async def _async_interrupt_kernel(self) -> None:
        """SIGINT to the kernel inside the sandbox, as nbgrader sends when a cell runs out of time (a signal to
        bubblewrap would end the sandbox, and the rest of the notebook with it)."""
        if self._private is None:
            return await super()._async_interrupt_kernel()
        marker = str(self._private / "connection.json").encode()
        for entry in os.listdir("/proc"):
            try:
                command = Path(f"/proc/{entry}/cmdline").read_bytes() if entry.isdigit() else b""
            except OSError:
                continue
            if marker in command and b"ipykernel_launcher" in command and b"bwrap" not in command.split(b"\0")[0]:
                try:
                    os.kill(int(entry), signal.SIGINT)
                except ProcessLookupError:
                    pass

    interrupt_kernel = _async_interrupt_kernel

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self._remove_private()

    def _remove_private(self) -> None:
        if self._private is not None:
            shutil.rmtree(self._private, ignore_errors=True)
            self._private = None

    def __del__(self):
        self._remove_private()


#: Longest path of the private folder: an ipc socket's path in it must fit a Unix socket address (107 bytes).
SOCKET_FOLDER_CHARACTERS = 80


def _socket_folder() -> str:
    """Where the kernel's private folder goes: the temporary folder (a grading's scratch folder, removed with
    it), or /tmp when that path is too long for the ipc sockets inside."""
    folder = tempfile.gettempdir()
    return folder if len(folder) <= SOCKET_FOLDER_CHARACTERS - len("/dlkit-kernel-xxxxxxxx") else "/tmp"


#: Run inside the sandbox, before ipykernel: give up root for the sandbox's own user (argv[1]), then start it.
DROP_PRIVILEGES = ("import os, sys; uid = int(sys.argv[1]); os.setgroups([]); os.setgid(uid); os.setuid(uid); "
                   "os.execv(sys.argv[2], sys.argv[2:])")


def _limit_resources(limits: Limits, own_user: bool) -> None:
    """In the kernel's process, before bubblewrap starts: the limits everything inside inherits."""
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if own_user:  # the limit binds the sandbox's own user, never root
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
