"""Control groups for the sandboxes: limits that hold for all of a sandbox's processes together.

The resource limits of ``confine.limit_resources`` are per process: four processes of one sandbox may each
use the whole address-space limit, and a notebook's 24 busy processes share the machine's cores with every
other grading. Where the grader may create control groups, each sandbox (the student's modules, a folder's
notebook kernels) runs in a group of its own below the grader's, with

- ``memory``: at most ``Limits.memory_bytes`` for all its processes together, tmpfs and page cache included
  (beyond it, the kernel kills a process of the group, and the grader says it was the memory);
- ``pids``: at most ``Limits.processes`` processes and threads together (a fork bomb stops there);
- ``cpu``: at most one core (a quota of one period per period), so that a sandbox's spinners slow only
  itself.

cgroup v1 (a hierarchy per controller, as on these machines, where root creates subgroups) is what this
module drives. Elsewhere (cgroup v2, or a v1 hierarchy the grader may not write) the grader says so once
and the sandboxes keep the per-process limits alone.
"""
from __future__ import annotations

import contextlib
import functools
import os
import secrets
import signal
import time
import warnings
from pathlib import Path

from autograde.limits import Limits

#: The controllers a sandbox's group uses (cgroup v1 hierarchies).
CONTROLLERS = ("memory", "pids", "cpu")
#: A sandbox's group: ``dlkit-<grader's pid>-<random>`` below the grader's own group of each controller.
PREFIX = "dlkit-"
#: cpu.cfs_period_us of a group; its quota is the same: one core.
CPU_PERIOD_MICROSECONDS = 100_000


class CgroupsUnavailable(RuntimeWarning):
    """The sandboxes run without control groups: only the per-process limits hold."""


def _mounts() -> dict[str, Path]:
    """controller -> where its cgroup v1 hierarchy is mounted."""
    found: dict[str, Path] = {}
    with open("/proc/self/mounts") as mounts:
        for line in mounts:
            fields = line.split()
            if len(fields) >= 4 and fields[2] == "cgroup":
                for option in fields[3].split(","):
                    if option in CONTROLLERS:
                        found.setdefault(option, Path(fields[1]))
    return found


def _own_paths() -> dict[str, str]:
    """controller -> this process's group in its hierarchy (``/proc/self/cgroup``)."""
    found: dict[str, str] = {}
    with open("/proc/self/cgroup") as groups:
        for line in groups:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for controller in controllers.split(","):
                found[controller] = path
    return found


@functools.cache
def parents() -> dict[str, Path] | None:
    """controller -> the folder a sandbox's group is created in (this process's own group), or None, said
    once, where the grader cannot create groups."""
    try:
        mounts, own = _mounts(), _own_paths()
        missing = [c for c in CONTROLLERS if c not in mounts or c not in own]
        if missing:
            raise OSError(f"no cgroup v1 hierarchy of {', '.join(missing)} (cgroup v2 is not supported yet)")
        found = {c: mounts[c] / own[c].lstrip("/") for c in CONTROLLERS}
        probe = found["memory"] / f"{PREFIX}probe-{os.getpid()}"
        probe.mkdir()
        probe.rmdir()
        _remove_stale(found)
        return found
    except OSError as error:
        warnings.warn(f"the sandboxes run without control groups ({error}): each process of a sandbox has its own "
                      "memory and process limits, and a sandbox's processes compete with every other grading for the "
                      "cores. Grade as root on a machine with cgroup v1's memory, pids and cpu controllers",
                      CgroupsUnavailable, stacklevel=2)
        return None


def _remove_stale(folders: dict[str, Path]) -> None:
    """Groups of graders that are gone (killed before they removed their own)."""
    for folder in folders.values():
        for group in folder.glob(f"{PREFIX}*-*"):
            pid = group.name[len(PREFIX):].split("-", 1)[0]
            if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
                _remove(group)


def _remove(group: Path) -> bool:
    with contextlib.suppress(OSError):
        group.rmdir()
    return not group.exists()


class Group:
    """A sandbox's control group in each controller, made with ``limits`` (see the module's docstring).

    ``join`` (in the process about to become the sandbox, before bubblewrap starts) puts that process, and
    so everything it starts, in the group; ``oom_kills`` says how many of its processes the memory limit
    killed; ``close`` kills what is left and removes the group.
    """

    def __init__(self, parents: dict[str, Path], limits: Limits) -> None:
        name = f"{PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        self.folders = {controller: folder / name for controller, folder in parents.items()}
        self._oom_control = -1  # read after every call into the sandbox: kept open (a read is 2 us, not 20)
        try:
            for folder in self.folders.values():
                folder.mkdir()
            memory = self.folders["memory"]
            (memory / "memory.limit_in_bytes").write_text(str(limits.memory_bytes))
            if (memory / "memory.memsw.limit_in_bytes").exists():  # swap counts too, where it is accounted
                (memory / "memory.memsw.limit_in_bytes").write_text(str(limits.memory_bytes))
            (self.folders["pids"] / "pids.max").write_text(str(limits.processes))
            (self.folders["cpu"] / "cpu.cfs_period_us").write_text(str(CPU_PERIOD_MICROSECONDS))
            (self.folders["cpu"] / "cpu.cfs_quota_us").write_text(str(CPU_PERIOD_MICROSECONDS))
            self._oom_control = os.open(memory / "memory.oom_control", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            self.close()
            raise

    def join(self) -> None:
        """Put this process in the group (a ``preexec_fn``: what it starts is in the group too)."""
        for folder in self.folders.values():
            (folder / "cgroup.procs").write_text(str(os.getpid()))

    def oom_kills(self) -> int:
        """How many processes of the group the kernel killed for going over the memory limit."""
        try:
            text = os.pread(self._oom_control, 4096, 0).decode()
        except OSError:
            return 0
        counts = dict(line.split() for line in text.splitlines() if len(line.split()) == 2)
        return int(counts.get("oom_kill", "0"))

    def processes(self) -> list[int]:
        try:
            return [int(pid) for pid in (self.folders["memory"] / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    def close(self) -> None:
        """Kill what is left in the group and remove it (what a zombie keeps, the next grader removes)."""
        if self._oom_control >= 0:
            os.close(self._oom_control)
            self._oom_control = -1
        deadline = time.monotonic() + 5
        while True:
            for pid in self.processes():
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            # A list, not a generator: every controller's folder is tried, also after one that stays.
            if all([_remove(folder) for folder in self.folders.values()]) or time.monotonic() > deadline:
                return
            time.sleep(0.02)


def over_memory(limits: Limits) -> str:
    """What a sandbox whose group's memory limit killed one of its processes did, in the student's words."""
    size = limits.memory_bytes
    shown = f"{size / (1 << 30):g} GiB" if size >= 1 << 30 else f"{size / (1 << 20):g} MiB"
    return f"used more than {shown} of memory (all its processes together)"


def group(limits: Limits) -> Group | None:
    """A new group for a sandbox under ``limits``, or None where the grader cannot make one (said once)."""
    found = parents()
    if found is None:
        return None
    try:
        return Group(found, limits)
    except OSError as error:
        warnings.warn(f"a sandbox runs without its control group ({error}): only the per-process limits hold",
                      CgroupsUnavailable, stacklevel=2)
        return None
