"""The coordinator's side of the local workers: host processes (``python -m autograde.batch.host``),
each grading one task at a time, started ahead and reused while the batch runs.

``grade(task)`` is what the executors run, in a thread of the coordinator (``--jobs``) or on a
Dask worker (``--scheduler``): it hands the task to an idle host of this process and waits for
the result, past the task's own time limit only by ``HOST_GRACE_SECONDS``.
"""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time

from autograde.batch import channel, tasks
from autograde.batch.tasks import Task, TaskResult

#: Seconds the coordinator waits beyond a task's own limit before it gives up on a silent host.
HOST_GRACE_SECONDS = 60.0


class HostFailure(RuntimeError):
    """The host process died or stopped answering; the task's outcome is unknown."""


class Host:
    """A running host process; ``grade`` sends it one task and waits for the result."""

    def __init__(self):
        # A session of its own: Ctrl-C at the terminal reaches the coordinator alone, which ends
        # the hosts by closing their input (no host prints a KeyboardInterrupt of its own).
        self.process = subprocess.Popen([sys.executable, "-m", "autograde.batch.host"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)

    def grade(self, task: Task) -> TaskResult:
        try:
            channel.write_frame(self.process.stdin.fileno(), task)
            result = channel.read_frame(self.process.stdout.fileno(), task.limits.submission_seconds + HOST_GRACE_SECONDS)
        except (OSError, EOFError, TimeoutError) as error:
            code = self.process.poll()
            raise HostFailure(f"the grading process {self.process.pid} on {socket.gethostname()} "
                              + (f"exited with code {code}" if code is not None else f"stopped answering ({error})"))
        return result

    def close(self) -> None:
        """End the host: it exits when its input closes; one that does not is killed."""
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


_hosts: set[Host] = set()
_idle_hosts: list[Host] = []
_hosts_lock = threading.Lock()


def grade(task: Task) -> TaskResult:
    """Grade one submission on an idle host of this process (started on first use).

    Never raises for a problem of the submission: those come back as a CRASHED or TIMED_OUT result.
    A failure of the machinery (the host or its grading process died or was killed from outside) is
    tried once more on a fresh host, so that only what happens again is recorded against the student.
    """
    result = _grade_once(task)
    return _grade_once(task) if result.infrastructure else result


def _grade_once(task: Task) -> TaskResult:
    started = time.monotonic()
    with _hosts_lock:
        host = _idle_hosts.pop() if _idle_hosts else None
    try:
        if host is None:
            host = Host()
            with _hosts_lock:
                _hosts.add(host)
        result = host.grade(task)
    except HostFailure as failure:
        _discard(host)
        return TaskResult(task.assignment_id, task.student_id, task.fingerprint, tasks.CRASHED,
                          time.monotonic() - started, error=str(failure), worker=socket.gethostname(),
                          infrastructure=True)
    with _hosts_lock:
        _idle_hosts.append(host)
    return result


def start_hosts(count: int) -> None:
    """Start ``count`` idle hosts now: they import while the coordinator prepares the tasks."""
    started = [Host() for _ in range(count)]
    with _hosts_lock:
        _hosts.update(started)
        _idle_hosts.extend(started)


def _discard(host: Host) -> None:
    with _hosts_lock:
        _hosts.discard(host)
    host.close()


def close_hosts() -> None:
    """End every host of this process. A busy one stops its grading (and everything the
    grading started) as soon as its input closes, so an interrupted batch leaves nothing running."""
    with _hosts_lock:
        hosts = list(_hosts)
        _hosts.clear()
        _idle_hosts.clear()
    for host in hosts:
        host.close()


