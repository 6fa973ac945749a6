"""Confinement, one module for both sandboxes: the module sandbox (``process.Sandbox``, the student's modules)
and the kernel's (``kernel.SandboxedKernelManager``, the student's notebook).

- ``command``: bubblewrap around a command: no network, its own pid namespace and session, an empty
  environment but the variables given, read-only binds, a private tmpfs; ``start`` starts it with the
  seccomp filter (``seccomp_program``: no new namespaces, mounts, tracing, BPF, keyrings or kernel modules);
- ``limit_resources``: the resource limits (``autograde.limits.Limits``) the sandboxed process inherits;
- ``environment``: the variables every sandboxed process gets (one BLAS thread, matplotlib's cache in a
  folder it may write), and ``SINGLE_THREADED`` for the grading workers;
- ``python_binds``, ``package_folders``, ``sandbox_uid``: what a Python needs to start inside, and the user
  it runs as; ``bubblewrap`` and ``require_bubblewrap``: whether it is there at all.
"""
from __future__ import annotations

import errno
import functools
import glob
import os
import resource
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import types
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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


#: System calls no sandboxed process needs, each failing with EPERM: a new namespace (in a user namespace of its
#: own, a process could mount a tmpfs no limit counts, or rearrange what it sees), mounts, tracing or reading
#: another process, BPF, the kernel's keyrings, kernel modules and the like.
DENIED_CALLS = ("unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen",
                "fsconfig", "fsmount", "fspick", "mount_setattr", "ptrace", "process_vm_readv", "process_vm_writev",
                "kcmp", "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key", "kexec_load",
                "kexec_file_load", "init_module", "finit_module", "delete_module", "open_by_handle_at",
                "name_to_handle_at", "swapon", "swapoff", "reboot", "acct", "quotactl", "iopl", "ioperm",
                "syslog", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname",
                "setdomainname", "lookup_dcookie")
#: clone's flags that make a namespace: clone with any of them fails like unshare.
NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000, 0x00000080)


class SeccompUnavailable(RuntimeWarning):
    """The sandboxes run without the seccomp filter (libseccomp or pyseccomp is missing)."""


@functools.cache
def seccomp_program() -> bytes | None:
    """The seccomp filter of every sandbox, as the BPF program bubblewrap loads (``--seccomp``): everything
    allowed but ``DENIED_CALLS`` and clone with ``NAMESPACE_FLAGS`` (EPERM), and clone3, whose flags a filter
    cannot read (ENOSYS: the C library then uses clone). None, said once, where it cannot be made here."""
    try:
        import pyseccomp as seccomp  # type: ignore[import-untyped]

        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        for call in DENIED_CALLS:
            try:
                rules.add_rule(seccomp.ERRNO(errno.EPERM), call)
            except ValueError:  # a call this architecture does not have
                pass
        for flag in NAMESPACE_FLAGS:
            rules.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
        rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
        with tempfile.TemporaryFile() as program:
            rules.export_bpf(program)
            program.seek(0)
            return program.read()
    except (ImportError, OSError, RuntimeError) as error:
        warnings.warn(f"the sandboxes run without their seccomp filter ({type(error).__name__}: {error}): student code "
                      "may create namespaces, mount file systems and trace its own processes. Install libseccomp "
                      "(Debian's libseccomp2) and the kit's instructor extra (pyseccomp)", SeccompUnavailable,
                      stacklevel=2)
        return None


def start(arguments: list[str], **popen: Any) -> subprocess.Popen[bytes]:
    """``subprocess.Popen(arguments, **popen)`` for a ``command`` in bubblewrap, which loads the seccomp filter
    (``seccomp_program``, handed over on a pipe) before it runs the command."""
    program = seccomp_program() if arguments[:1] == ["bwrap"] else None
    if program is None:
        return subprocess.Popen(arguments, **popen)
    read, write = os.pipe()
    try:
        os.write(write, program)  # a few hundred bytes: the pipe holds them
        os.close(write)
        write = -1
        return subprocess.Popen([arguments[0], "--seccomp", str(read), *arguments[1:]],
                                pass_fds=(*popen.pop("pass_fds", ()), read), **popen)
    finally:
        os.close(read)
        if write >= 0:
            os.close(write)


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
