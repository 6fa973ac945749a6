"""Processes below a process and the CPU time they used, read from Linux's /proc."""
from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

#: Clock ticks per second, the unit of the times in /proc/PID/stat.
TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int | str) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state first), or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2:].split()


def descendants(root: int) -> list[int]:
    """Every process below ``root`` (children before their own children)."""
    try:
        return _descendants_by_children(root)
    except FileNotFoundError:  # a kernel without /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN)
        if os.path.exists(f"/proc/{root}"):
            return _descendants_by_scan(root)
        return []


def _children(pid: int) -> list[int]:
    """The children of ``pid``'s threads; FileNotFoundError where the kernel does not list them."""
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return []  # it ended
    for task in tasks:
        try:
            found += [int(child) for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except FileNotFoundError:
            if os.path.exists(f"/proc/{pid}/task/{task}"):
                raise
    return found


def _descendants_by_children(root: int) -> list[int]:
    return _below(root, _children)


def _descendants_by_scan(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat_fields(entry)) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry))
    return _below(root, lambda pid: children.get(pid, []))


def _below(root: int, children_of: Callable[[int], Iterable[int]]) -> list[int]:
    """Every process below ``root``, given each process's children (children before their own children)."""
    found: list[int] = []
    stack = [root]
    while stack:
        for child in children_of(stack.pop()):
            found.append(child)
            stack.append(child)
    return found


def is_zombie(pid: int) -> bool:
    """Whether ``pid`` ended (a zombie, or gone)."""
    fields = _stat_fields(pid)
    return fields is None or fields[0] == "Z"


def cpu_seconds(root: int) -> float:
    """CPU time (user and system) used so far by ``root`` and every process below it, including
    their children that ended and were waited for."""
    total = 0
    for pid in (root, *descendants(root)):
        fields = _stat_fields(pid)
        if fields is not None:  # utime, stime, cutime, cstime: fields 14 to 17 of stat
            total += sum(int(value) for value in fields[11:15])
    return total / TICKS


def _started(pid: int) -> str | None:
    """When ``pid`` started (clock ticks since boot, field 22 of stat), or None when it is gone: with the
    pid, it names one process for good (pids are reused)."""
    fields = _stat_fields(pid)
    return None if fields is None or fields[0] == "Z" else fields[19]


def owned_folder(prefix: str, parent: str | None = None) -> Path:
    """A new private folder (``tempfile.mkdtemp``) whose name says which process made it, so that
    ``remove_stale`` can tell a dead run's folder from a live one's (a sandbox that writes inside the
    folder cannot change its name)."""
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}.{_started(os.getpid())}-", dir=parent))


def remove_stale(prefix: str, parent: str | None = None) -> list[Path]:
    """Remove the folders ``owned_folder(prefix, parent)`` made for processes that are gone (killed before
    they could remove them); return them."""
    pattern = re.compile(re.escape(prefix) + r"(\d+)\.(\d+)-[^/]+")
    removed = []
    for folder in Path(parent or tempfile.gettempdir()).glob(f"{prefix}*"):
        named = pattern.fullmatch(folder.name)
        if named and folder.is_dir() and not folder.is_symlink() and _started(int(named[1])) != named[2]:
            remove_tree(folder)
            removed.append(folder)
    return removed


@contextlib.contextmanager
def owned_temporary(prefix: str, parent: str | None = None) -> Iterator[Path]:
    """``owned_folder`` for the block, removed after it (and by ``remove_stale`` if this process is killed)."""
    folder = owned_folder(prefix, parent)
    try:
        yield folder
    finally:
        remove_tree(folder)


#: mount(2)'s flags of a folder's tmpfs, and umount2(2)'s lazy detach.
MS_NOSUID, MS_NODEV, MNT_DETACH = 2, 4, 2


def mount_tmpfs(folder: Path, size: int) -> str | None:
    """Mount a tmpfs of ``size`` bytes (mode 0700) on ``folder``; None, or why it cannot be done here (only root
    may mount). ``remove_tree`` unmounts it, also when the process that mounted it was killed."""
    if os.getuid() != 0:
        return "only root may mount the folder's size-limited file system"
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mount(b"tmpfs", os.fsencode(folder), b"tmpfs", MS_NOSUID | MS_NODEV,
                  f"size={size},mode=0700".encode()) != 0:
        return f"mount: {os.strerror(ctypes.get_errno())}"
    return None


def mounts_below(folder: Path) -> list[str]:
    """The mount points at or below ``folder`` in this process's mount namespace, the deepest first."""
    root = os.path.realpath(folder)
    found = []
    with open("/proc/self/mountinfo") as mountinfo:
        for line in mountinfo:
            point = re.sub(r"\\([0-7]{3})", lambda escaped: chr(int(escaped[1], 8)), line.split()[4])
            if point == root or point.startswith(root + "/"):
                found.append(point)
    return sorted(found, key=len, reverse=True)


def remove_tree(folder: Path) -> None:
    """Remove ``folder`` and everything in it, first detaching what is mounted below it (a notebook kernel's
    tmpfs, whose grader may have been killed before it could unmount it)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for point in mounts_below(folder):
        libc.umount2(os.fsencode(point), MNT_DETACH)
    shutil.rmtree(folder, ignore_errors=True)
