"""Confinement, one module for both sandboxes: the module sandbox (``process.Sandbox``, the student's modules)
and the kernel's (``kernel.SandboxedKernelManager``, the student's notebook).

- ``command``: bubblewrap around a command: no network, its own pid namespace and session, an empty
  environment but the variables given, read-only binds, a private tmpfs;
- ``limit_resources``: the resource limits (``autograde.limits.Limits``) the sandboxed process inherits;
- ``environment``: the variables every sandboxed process gets (one BLAS thread, matplotlib's cache in a
  folder it may write), and ``SINGLE_THREADED`` for the grading workers;
- ``python_binds``, ``package_folders``, ``sandbox_uid``: what a Python needs to start inside, and the user
  it runs as; ``bubblewrap`` and ``require_bubblewrap``: whether it is there at all.
"""
from __future__ import annotations

import glob
import os
import resource
import shutil
import sys
import sysconfig
import types
import warnings
from collections.abc import Sequence
from pathlib import Path

from autograde.errors import UsageError
from autograde.limits import Limits

SCRATCH = "/sandbox/scratch"
#: Where the student packages (``environment.site_entries``) appear inside a sandbox.
SITE = "/sandbox/site"
#: One BLAS thread: a sandbox, a kernel and a grading worker use one core each, so N workers use N cores.
SINGLE_THREADED = types.MappingProxyType({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})


def environment(home: str, **more: str) -> dict[str, str]:
    """The variables of a sandboxed Python: ``SINGLE_THREADED``, ``home`` as HOME and matplotlib's cache below
    it (the only folders it may write), and ``more``."""
    return {**SINGLE_THREADED, "HOME": home, "MPLCONFIGDIR": f"{home}/.matplotlib", **more}


def limit_resources(limits: Limits, own_user: bool) -> None:
    """In the process about to become the sandbox (a ``preexec_fn``): the limits everything inside inherits.
    ``own_user``: the sandbox runs as a user of its own, which the process limit then binds (never root)."""
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if own_user:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))


class SandboxUnavailable(RuntimeWarning):
    """Grading runs without bubblewrap: only resource limits protect the grader."""


class SandboxMissing(UsageError):
    """bubblewrap is missing, and the limits require it (``Limits.sandbox_required``)."""


def bubblewrap() -> str | None:
    return shutil.which("bwrap")


def require_bubblewrap(limits: Limits) -> bool:
    """Whether student code runs in bubblewrap here. Raises SandboxMissing when bubblewrap is missing and
    ``limits`` require it; warns (SandboxUnavailable) when they allow grading without it."""
    if bubblewrap() is not None:
        return True
    if limits.sandbox_required:
        raise SandboxMissing(
            f"bubblewrap (bwrap) is not installed on {os.uname().nodename}: student code would run unconfined, "
            "able to read the solutions and hidden checks and to rewrite the gradebook. Install the Debian package "
            "bubblewrap (apt-get install bubblewrap), or pass --unsafe-no-sandbox to grade with resource limits only")
    warnings.warn("bubblewrap (bwrap) is not installed: student code runs with resource limits only, "
                  "can read any file this user can, and is not limited in processes. "
                  "Install the Debian package bubblewrap.", SandboxUnavailable, stacklevel=3)
    return False


def sandbox_uid() -> int:
    # One unprivileged user per grading process, so one sandbox's process count is its own.
    return 200000 + os.getpid() % 100000


def python_binds() -> tuple[str, list[tuple[str, str]]]:
    """(the base Python's executable, the binds it needs to start in a sandbox): its prefix (the standard
    library; ``package_folders`` are shown empty), and the executable and its shared library where
    they lie outside the prefix."""
    python = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    library = Path(sysconfig.get_config_var("LIBDIR") or "/", sysconfig.get_config_var("INSTSONAME") or "")
    binds = [(sys.base_prefix, sys.base_prefix)]
    for path in (python, str(library)):
        if os.path.isfile(path) and not Path(path).is_relative_to(sys.base_prefix) \
                and not Path(path).is_relative_to("/usr"):
            binds.append((path, path))
    return python, binds


def _ancestors(path: str) -> list[str]:
    parts = Path(path).parents
    return [str(p) for p in reversed(list(parts)) if str(p) != "/"]


def command(binds: list[tuple[str, str]], scratch_bytes: int, command: list[str], variables: dict[str, str],
            rw_binds: Sequence[tuple[str, str]] = (), chdir: str = SCRATCH, scratch: str = SCRATCH,
            set_uid: bool | None = None) -> list[str]:
    """bubblewrap around ``command``: no network, its own pid namespace and session, an empty environment
    but ``variables``; read-only the system's libraries and ``binds`` (source, target), read-write
    ``rw_binds`` and a private tmpfs of ``scratch_bytes`` at ``scratch``. As root, the sandbox keeps the
    capabilities to change its user (``set_uid``, by default when root): its command must then give up
    root before anything untrusted runs."""
    arguments = ["bwrap", "--die-with-parent", "--new-session", "--unshare-ipc", "--unshare-pid", "--unshare-net",
                 "--unshare-uts", "--unshare-cgroup-try", "--clearenv", "--setenv", "PATH", "/usr/bin"]
    for name, value in variables.items():
        arguments += ["--setenv", name, value]
    arguments += ["--proc", "/proc", "--dev", "/dev"]
    if os.getuid() == 0:
        if set_uid is None or set_uid:
            arguments += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        arguments += ["--unshare-user"]
    made = {"/usr", "/lib", "/lib64", "/bin"}

    def bind(kind: str, source: str, target: str) -> None:
        arguments.extend([kind, source, target])
        for folder in package_folders(source) if source == target else []:
            arguments.extend(["--perms", "0755", "--tmpfs", folder])
            # What was made below the empty folder is hidden now.
            made.difference_update({path for path in made if path.startswith(folder + "/")})
            made.add(folder)

    bind("--ro-bind", "/usr", "/usr")
    for name in ("lib", "lib64", "bin"):
        if os.path.islink(f"/{name}"):
            arguments += ["--symlink", os.readlink(f"/{name}"), f"/{name}"]
        elif os.path.isdir(f"/{name}"):
            arguments += ["--ro-bind", f"/{name}", f"/{name}"]

    def folders_above(target: str) -> None:
        """Folders bubblewrap would otherwise make itself, readable by the sandbox's user (not 0700 root)."""
        for parent in _ancestors(target):
            if parent not in made:
                arguments.extend(["--perms", "0755", "--dir", parent])
                made.add(parent)

    if os.path.exists("/etc/ld.so.cache"):
        folders_above("/etc/ld.so.cache")
        arguments += ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"]

    folders_above(scratch)
    arguments += ["--perms", "1777", "--size", str(scratch_bytes), "--tmpfs", scratch]
    made.add(scratch)
    for kind, pairs in (("--ro-bind", binds), ("--bind", rw_binds)):
        for source, target in pairs:
            folders_above(target)
            bind(kind, source, target)
    arguments += ["--chdir", chdir]
    return arguments + command


#: Where packages are installed, below a prefix (pip, conda, Debian's python3-* packages, pip on Debian).
PACKAGE_FOLDERS = ("lib*/python3*/site-packages", "lib*/python3*/dist-packages", "lib/python3/dist-packages",
                   "local/lib*/python3*/*-packages")


def package_folders(folder: str) -> list[str]:
    """The package folders below ``folder`` (a Python's prefix, /usr), which the sandbox shows empty. It binds
    a Python's prefix for its standard library; its site-packages would show every package installed there,
    and where the kit is installed into a prefix (conda, a system pip) the solutions and the hidden checks
    with them. The sandbox's packages come from their own binds (/sandbox/site)."""
    if not os.path.isdir(folder):
        return []
    return sorted({path for pattern in PACKAGE_FOLDERS for path in glob.glob(os.path.join(folder, pattern))
                   if os.path.isdir(path) and not os.path.islink(path)})
