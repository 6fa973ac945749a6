"""A host process (``python -m autograde.batch.host``): it grades the tasks its coordinator sends,
each in a forked child.

It imports nbgrader, the checks and MNIST once; each task runs in a child forked from it
(``autograde.batch.scratch`` grades it in a course of its own), so every submission starts with
what the host loaded (seconds of imports otherwise) in a fresh process that can be killed. When
the time limit passes, or when the coordinator goes away, the host kills the child and everything
it started (the kernel, the sandbox) and removes its scratch folder.
"""
from __future__ import annotations

import ctypes
import os
import pickle
import select
import signal
import socket
import time

from autograde.batch import channel, scratch, tasks
from autograde.batch.tasks import Task, TaskResult
from autograde.sandbox import procfs


#: Each task's scratch folder, in the temporary folder: ``dlkit-autograde-<host pid>.<start>-<random>``.
SCRATCH_PREFIX = "dlkit-autograde-"


def main() -> None:
    """Serve tasks from standard input until it closes; answer on standard output."""
    adopt_orphans(True)
    procfs.remove_stale(SCRATCH_PREFIX)  # what hosts killed before they could clean up left behind
    answers = os.dup(1)
    os.dup2(2, 1)  # whatever else prints must not land in the answers
    _preload()
    while True:
        try:
            task = channel.read_frame(0, None)
        except EOFError:
            return
        channel.write_frame(answers, _run_forked(task, answers))


def _preload() -> None:
    """Import what every grading needs once, so that each forked child starts with it."""
    import nbgrader.apps.nbgraderapp  # noqa: F401 - loaded for the children

    from autograde.course import preprocessor  # noqa: F401 - loaded for the children
    from autograde.grading import data
    from autograde.student import checks, registry

    for assignment_id in registry.ids():
        checks.load(assignment_id, hidden=True)
    data.mnist()


def adopt_orphans(enabled: bool) -> None:
    """Whether this process adopts its orphaned descendants (kernels run in sessions of their
    own) instead of init, so that ``procfs.descendants`` finds them and they can be killed."""
    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, int(enabled), 0, 0, 0)


def die_with_parent(parent: int) -> None:
    """SIGKILL this process when ``parent`` dies (Linux's parent-death signal), and at once if it already
    has: a host killed outright takes its grading with it (whose sandboxes die with their parent), and
    the next host removes the scratch folder (``procfs.remove_stale``)."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _run_forked(task: Task, answers: int) -> TaskResult:
    started = time.monotonic()
    folder = procfs.owned_folder(SCRATCH_PREFIX)
    read_end, write_end = os.pipe()
    host = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: grade, send the result, and never return into the host's loop
        try:
            die_with_parent(host)
            os.close(read_end)
            os.close(answers)
            os.setsid()
            channel.write_all(write_end, scratch.graded_payload(task, folder, started))
        finally:
            os._exit(0)
    os.close(write_end)
    payload, timed_out, gone = b"", True, False  # what an unexpected error in the host leaves: stop the child
    try:
        payload, timed_out = _collect(read_end, started + task.limits.submission_seconds)
    except CoordinatorGone:
        gone = True  # the child is stopped and its scratch folder removed below; then the host ends
    finally:
        os.close(read_end)
        if timed_out:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        _kill_descendants()
        procfs.remove_tree(folder)  # and the notebook kernel's file system, mounted in it
    if gone:
        os._exit(0)  # nobody waits for the result
    seconds = time.monotonic() - started
    worker = f"{socket.gethostname()}:{os.getpid()}"
    if timed_out:
        return TaskResult(task.assignment_id, task.student_id, task.fingerprint, tasks.TIMED_OUT, seconds,
                      error=f"grading took longer than {task.limits.submission_seconds:g} s and was stopped", worker=worker)
    try:
        return pickle.loads(payload)
    except (pickle.UnpicklingError, EOFError):
        how = (f"was killed by signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
               else f"exited with code {os.WEXITSTATUS(status)}")
        return TaskResult(task.assignment_id, task.student_id, task.fingerprint, tasks.CRASHED, seconds,
                          error=f"the grading process {how} before it sent a result", worker=worker,
                          infrastructure=True)


class CoordinatorGone(Exception):
    """The coordinator closed the host's input while a task ran (it was stopped, or killed)."""


def _collect(read_end: int, deadline: float) -> tuple[bytes, bool]:
    """(what the child sent, whether the deadline passed first). Raises CoordinatorGone when the
    coordinator is gone."""
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return b"", True
        ready, _, _ = select.select([read_end, 0], [], [], remaining)
        if 0 in ready:  # the coordinator only writes between tasks: this is its end of file
            raise CoordinatorGone
        if read_end in ready:
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                return b"".join(chunks), False
            chunks.append(chunk)


def _kill_descendants() -> None:
    """SIGKILL every process below the host, until none is left (they may fork meanwhile)."""
    for _ in range(10):
        pids = procfs.descendants(os.getpid())
        living = []
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                living.append(pid)
            except ProcessLookupError:
                pass
        _reap()
        if not living or all(procfs.is_zombie(pid) for pid in living):
            return
        time.sleep(0.05)


def _reap() -> None:
    """Collect the exit status of descendants that ended (the host adopts orphans)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


if __name__ == "__main__":
    main()
