"""The student's notebook kernel in a sandbox: nbgrader executes the notebook through ``SandboxedKernelManager``.

Configured as ``c.Execute.kernel_manager_class`` in the course's nbgrader_config.py. The kernel
(ipykernel) runs in bubblewrap, like the student's modules (``process``):

- no network: it talks to nbclient over ipc sockets in a private folder bound into the sandbox;
- its own pid namespace, a new session, and, started as root, an unprivileged user of its own (the
  process limit binds it);
- read-only: the system's libraries, Python, and the student packages only (ipykernel, numpy,
  matplotlib, ipywidgets, tqdm and what they require: nothing else of the environment, never the
  kit, solutions or checks, however the kit is installed), and the grading data's ``.npz`` files;
- read-write: a private copy of the notebook's folder (the release's files and the submission) at
  ``/home/student/<the folder's name>``, its working directory, and a small ``/tmp``. What
  the kernel writes there is thrown away with the copy: it never reaches the checks, the
  autograded folder, the feedback or the next submission;
- the environment: only what a notebook needs (``DLKIT_DATA``, ``DLKIT_QUICK``), never the
  instructor's variables;
- resource limits (``autograde.limits.Limits``): memory, CPU time, processes, file size.

One sandbox serves the notebooks of one folder (a submission): in it a ``KernelTemplate``
(``kernel_zygote.py``) has ipykernel, numpy and matplotlib imported, and forks each notebook's
kernel, which then starts in a fraction of the time a new Python takes. The notebooks run one after
another and share the copy of the folder, as they would without a sandbox; a kernel's leftover
processes are killed before the next kernel starts. Grading another folder stops the template.
"""
from __future__ import annotations

import functools
import itertools
import os
import select
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from traitlets import Dict, Instance

from autograde.limits import Limits
from autograde.sandbox import cgroups, procfs
from autograde.sandbox import confine
from autograde.sandbox.confine import SITE, python_binds, require_bubblewrap, sandbox_uid
from autograde.sandbox.context import GradingContext
from autograde.student.environment import site_entries

#: Variables of the grader's environment a notebook may see.
PASSED_ON = ("DLKIT_DATA", "DLKIT_QUICK")


def data_files(environment: Mapping[str, str]) -> list[str]:
    """The prepared datasets (``*.npz``) of the data folder a notebook reads (``DLKIT_DATA``)."""
    folder = Path(environment.get("DLKIT_DATA", ""))
    return sorted(str(path) for path in folder.glob("*.npz")) if folder.is_dir() else []


class KernelTemplate:
    """A kernel template running in bubblewrap (``kernel_zygote``) for the notebooks of one folder.

    Its private folder holds the copy of the notebook's folder (bound at ``inside(folder)``), its
    socket, and each kernel's connection file and ipc sockets. One template serves every notebook
    of a submission, one after another, as nbgrader runs them in one folder: what a notebook's
    kernel writes, the next one sees (as without a sandbox), and nothing else of it survives.
    """

    def __init__(self, key: tuple[object, ...], folder: Path, environment: Mapping[str, str], limits: Limits,
                 context: GradingContext) -> None:
        self.key = key
        self.uid = sandbox_uid() if os.getuid() == 0 else 0
        parent = _socket_folder()
        procfs.remove_stale(PRIVATE_PREFIX, parent)  # of graders killed before they could
        self.private = procfs.owned_folder(PRIVATE_PREFIX, parent)
        unbounded = procfs.mount_tmpfs(self.private, limits.folder_bytes)  # the host's disk stays out of reach
        if unbounded:
            _say_unbounded(unbounded)
        self.socket = self.private / "template.sock"
        self._kernels = itertools.count(1)
        self.process: subprocess.Popen[bytes] | None = None
        self.limits = limits
        #: The control group of the template and its kernels (``cgroups``), where the grader can make one.
        self.group = cgroups.group(limits)
        self._memory_kills_told = 0
        try:
            copy = self.private / "notebook"
            shutil.copytree(folder, copy, symlinks=True)
            if self.uid:
                for path in [self.private, *self.private.rglob("*")]:
                    os.lchown(path, self.uid, self.uid)
            self.private.chmod(0o700)
            command = _bwrap(self.private, inside(folder), copy, environment, self.uid, limits,
                             [python_binds()[0], "-S", "-c", _source("kernel_zygote"), str(self.socket)])
            self.process = confine.start(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env={"PATH": "/usr/bin:/bin"},
                cwd=self.private, preexec_fn=self._limit_resources)
            assert self.process.stdout is not None  # a pipe
            ready, _, _ = select.select([self.process.stdout], [], [], TEMPLATE_START_SECONDS)
            said = self.process.stdout.readline() if ready else b""
            self.process.stdout.close()
            if said.strip() != b"ready":
                code = self.process.poll()
                if code is not None and (code < 0 or code > 128):  # killed before any notebook ran in it
                    raise context.fault(f"the notebook kernel's sandbox was killed as it started (exit code {code})")
                raise RuntimeError(f"the notebook kernel's sandbox did not start within {TEMPLATE_START_SECONDS:g} s "
                                   f"(exit code {code}); its errors are in the grading log above")
        except BaseException:
            self.stop()
            raise

    def _limit_resources(self) -> None:
        confine.limit_resources(self.limits, bool(self.uid))
        if self.group is not None:
            self.group.join()

    def over_memory(self) -> str | None:
        """What to tell the student when the memory limit of the sandbox killed one of its processes since the
        last call, else None."""
        kills = self.group.oom_kills() if self.group is not None else 0
        if kills <= self._memory_kills_told:
            return None
        self._memory_kills_told = kills
        return f"the notebook {cgroups.over_memory(self.limits)}, and the process that went over was killed"

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kernel_files(self) -> tuple[str, str]:
        """(connection file, ipc address) of a new kernel: in the private folder, unique."""
        name = f"k{next(self._kernels)}"
        return str(self.private / f"{name}.json"), str(self.private / name)

    def relay(self, connection_file: str, folder: Path) -> list[str]:
        """The command jupyter_client starts as the kernel: ``kernel_relay`` asks the template for one."""
        if self.uid:
            os.lchown(connection_file, self.uid, self.uid)
        return [sys.executable, "-S", "-c", _source("kernel_relay"), str(self.socket), connection_file,
                inside(folder)]

    def stop(self) -> None:
        """End the template and every kernel it started (the sandbox's pid namespace ends with it)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.process is not None:
            self.process.wait()
        if self.group is not None:
            self.group.close()
        procfs.remove_tree(self.private)


#: The kernel sandbox's private folder: ``dlkit-kernel-<pid>.<start>-<random>`` (``procfs.owned_folder``).
PRIVATE_PREFIX = "dlkit-kernel-"
#: Seconds the kernel template may take to import ipykernel, numpy and matplotlib in its sandbox.
TEMPLATE_START_SECONDS = 120.0


def template_for(context: GradingContext, folder: Path, environment: Mapping[str, str], limits: Limits
                 ) -> KernelTemplate:
    """The running template of ``context``'s grading for notebooks in ``folder`` with ``environment`` under
    ``limits``; a template of another folder (the previous submission's) is stopped first."""
    key = (str(folder), tuple(sorted(environment.items())), limits, os.getuid())
    template = context.kernel_template
    if template is not None and template.key == key and template.alive():
        return template
    context.close()
    context.kernel_template = KernelTemplate(key, folder, environment, limits, context)
    return context.kernel_template


class FolderUnbounded(RuntimeWarning):
    """A notebook kernel's folder is a plain folder of the host: what its notebooks write is bounded per file only."""


@functools.cache
def _say_unbounded(why: str) -> None:
    warnings.warn(f"the notebook kernels' folders are not size-limited ({why}): a notebook may fill the disk with "
                  f"files of Limits.file_bytes each. Grade as root", FolderUnbounded, stacklevel=3)


@functools.cache
def _source(module: str) -> str:
    """The text of ``autograde/sandbox/<module>.py``, which runs with ``python -S -c`` (nothing of the kit is
    importable where it runs)."""
    return (Path(__file__).parent / f"{module}.py").read_text()


class SandboxedKernelManager(AsyncKernelManager):
    """Starts the notebook's kernel in bubblewrap (see the module's docstring); without bubblewrap, as usual.

    The kernel is forked from the folder's ``KernelTemplate``, which has ipykernel, numpy and
    matplotlib imported; what jupyter_client starts and signals is its ``kernel_relay``.
    """

    limits = Dict(help="What the kernel may use: the fields of autograde.limits.Limits").tag(config=True)
    grading = Instance(GradingContext, allow_none=True,
                       help="The grading the kernel serves (``SandboxedExecute`` hands it over): its kernel template")

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        if not require_bubblewrap(Limits(**self.limits)):
            return await super()._async_pre_start_kernel(**kw)
        folder = Path(kw.get("cwd") or os.getcwd()).resolve()
        environment = {name: kw.get("env", os.environ).get(name) for name in PASSED_ON}
        environment = {name: value for name, value in environment.items() if value}
        if self.grading is None:  # a manager made without SandboxedExecute: the process's context
            self.grading = GradingContext.of_process()
        template = template_for(self.grading, folder, environment, Limits(**self.limits))
        # ipc sockets beside the connection file: they reach the kernel through the bind, never a network.
        self.transport = "ipc"
        self.connection_file, self.ip = template.kernel_files()
        command, kw = await super()._async_pre_start_kernel(**kw)
        connection = command[command.index("-f") + 1] if "-f" in command else self.connection_file
        kw["env"] = {"PATH": "/usr/bin:/bin"}
        kw["cwd"] = str(template.private)
        return template.relay(connection, folder), kw


#: Where the notebook's folder appears in the kernel's sandbox: ``/home/student/<folder's name>``, the same on
#: every run, so that what the kernel prints (a traceback's paths) never names the grader's folders.
KERNEL_HOME = "/home/student"


def inside(folder: Path) -> str:
    """Where ``folder`` appears in the kernel's sandbox."""
    return f"{KERNEL_HOME}/{folder.name}"


def _bwrap(private: Path, folder: str, copy: Path, environment: Mapping[str, str], uid: int, limits: Limits,
           command: list[str]) -> list[str]:
    """bubblewrap around ``command`` (a Python command) as the kernel's sandbox (see the module's docstring), with
    ``copy`` at ``folder`` (the working directory)."""
    python, binds = python_binds()
    binds += [(str(entry), f"{SITE}/{entry.name}") for entry in site_entries()]
    binds += [(path, path) for path in data_files(environment)]
    binds += [(path, path) for path in ("/etc/fonts",) if os.path.isdir(path)]
    rw_binds = [(str(copy), folder), (str(private), str(private))]
    start = ([python, "-S", "-c", DROP_PRIVILEGES, str(uid)] if uid else []) + command
    variables = confine.environment("/tmp", PYTHONPATH=SITE, **environment)
    return confine.command(binds, limits.scratch_bytes, start, variables, rw_binds=rw_binds, chdir=str(folder),
                           scratch="/tmp", set_uid=bool(uid))


#: The longest name of a private folder: prefix, pid, start time (clock ticks since boot), random part.
PRIVATE_NAME = "/dlkit-kernel-4194304.99999999999-xxxxxxxx"
#: Longest path of the private folder: a socket's path in it ("/template.sock") must fit a Unix socket
#: address (107 bytes).
SOCKET_FOLDER_CHARACTERS = 90


def _socket_folder() -> str:
    """Where the kernel's private folder goes: the temporary folder (a grading's scratch folder, removed with
    it), or /tmp when that path is too long for the ipc sockets inside."""
    folder = tempfile.gettempdir()
    return folder if len(folder) <= SOCKET_FOLDER_CHARACTERS - len(PRIVATE_NAME) else "/tmp"


#: Run inside the sandbox, before ipykernel: give up root for the sandbox's own user (argv[1]), then start it.
DROP_PRIVILEGES = ("import os, sys; uid = int(sys.argv[1]); os.setgroups([]); os.setgid(uid); os.setuid(uid); "
                   "os.execv(sys.argv[2], sys.argv[2:])")
