"""Both sandboxes load a seccomp filter (issue 34, item 1): student code can no longer make a user namespace
of its own (where it could mount a tmpfs no limit counts), mount, trace processes, reach the kernel's keyrings
or load BPF programs. Each attempt fails with EPERM, in the module sandbox and in the notebook's kernel, while
threads and subprocesses work as before."""
from __future__ import annotations

import errno
import platform
import sys
import textwrap
import warnings

import pytest

from autograde.sandbox import confine, process
from autograde.sandbox.context import GradingContext
from autograde.sandbox.proxy import RemoteCode
from support.kernel_run import run
from support.code_folder import code_folder

needs_bubblewrap = pytest.mark.skipif(confine.bubblewrap() is None, reason="needs bubblewrap")

PROBE = textwrap.dedent('''
    import ctypes, platform, subprocess


    def attempts():
        """Each attempt's errno (0: it succeeded), and a thread's and a subprocess's results."""
        libc = ctypes.CDLL(None, use_errno=True)

        def errno_of(result):
            return 0 if result >= 0 else ctypes.get_errno()

        found = {"unshare": errno_of(libc.unshare(0x10000000 | 0x00020000)),  # CLONE_NEWUSER | CLONE_NEWNS
                 "mount": errno_of(libc.mount(b"none", b"/tmp", b"tmpfs", 0, None)),
                 "ptrace": errno_of(libc.ptrace(0, 0, None, None))}  # PTRACE_TRACEME
        if platform.machine() == "x86_64":
            found["keyctl"] = errno_of(libc.syscall(250, 0, -3, 0))  # KEYCTL_GET_KEYRING_ID of the session's
            found["bpf"] = errno_of(libc.syscall(321, 0, None, 0))
        found["unshare -Urm"] = subprocess.run(["unshare", "-Urm", "true"], capture_output=True).returncode
        found["thread"] = __import__("concurrent.futures").futures.ThreadPoolExecutor(2).submit(lambda: 7).result()
        found["subprocess"] = subprocess.run(["true"]).returncode
        return found
''')
EXPECTED = {"unshare": errno.EPERM, "mount": errno.EPERM, "ptrace": errno.EPERM, "thread": 7, "subprocess": 0,
            "unshare -Urm succeeded": False,
            **({"keyctl": errno.EPERM, "bpf": errno.EPERM} if platform.machine() == "x86_64" else {})}


def seen(found: dict) -> dict:
    """``found`` with the exit code of `unshare -Urm true` as whether it succeeded (its code on failure varies)."""
    code = found.pop("unshare -Urm")
    return {**found, "unshare -Urm succeeded": code == 0}


@needs_bubblewrap
def test_the_module_sandbox_denies_namespaces_mounts_tracing_keyrings_and_bpf(tmp_path):
    folder = code_folder(tmp_path, PROBE)
    with process.Sandbox(folder, ("layers",), ()) as box:
        assert seen(RemoteCode(box).attempts()) == EXPECTED


@needs_bubblewrap
def test_the_notebook_kernel_denies_them_too(tmp_path):
    context = GradingContext()
    try:
        printed = run(context, tmp_path, PROBE + "\nprint(repr(attempts()))")
    finally:
        context.close()
    assert seen(eval(printed[0])) == EXPECTED


def test_without_libseccomp_the_grader_says_so_once(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyseccomp", None)  # as where the binding (or the library) is missing
    confine.seccomp_program.cache_clear()
    try:
        with pytest.warns(confine.SeccompUnavailable, match="run without their seccomp filter"):
            assert confine.seccomp_program() is None
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert confine.seccomp_program() is None  # said once
    finally:
        confine.seccomp_program.cache_clear()
        monkeypatch.undo()
    program = confine.seccomp_program()
    assert program and len(program) % 8 == 0, "a BPF program is a sequence of 8-byte instructions"
