"""Pools of grading hosts: host processes (``python -m autograde.batch.host``, one forked child per submission),
each grading one task at a time, started ahead and reused while the batch runs; the coordinator's pool grades
on this machine, a Dask worker's (``autograde.batch.cluster``) on that worker.

``HostPool.grade(task)`` is what the executors run, in a thread of the coordinator (``--jobs``) or on a
Dask worker (``--scheduler``, ``grade_on_worker``, with the worker's pool): it hands the task to an idle
host of the pool and waits for the result, past the task's own time limit only by ``HOST_GRACE_SECONDS``.
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


class HostPool:
    """The host processes of one batch on this machine (the coordinator's, or a Dask worker's): started ahead or on
    first use, each grading one task at a time, reused while the batch runs; ``close`` ends them all."""

    def __init__(self, count: int = 0):
        """A pool with ``count`` idle hosts started now: they import while the coordinator prepares the tasks."""
        self._lock = threading.Lock()
        self._idle: list[Host] = [Host() for _ in range(count)]
        self._all: set[Host] = set(self._idle)

    def grade(self, task: Task) -> TaskResult:
        """Grade one submission on an idle host (started when none is idle).

        Never raises for a problem of the submission: those come back as a CRASHED or TIMED_OUT result.
        A failure of the machinery (the host or its grading process died or was killed from outside) is
        tried once more on a fresh host, so that only what happens again is recorded against the student.
        """
        result = self._grade_once(task)
        return self._grade_once(task) if result.infrastructure else result

    def _grade_once(self, task: Task) -> TaskResult:
        started = time.monotonic()
        with self._lock:
            host = self._idle.pop() if self._idle else None
        try:
            if host is None:
                host = Host()
                with self._lock:
                    self._all.add(host)
            result = host.grade(task)
        except HostFailure as failure:
            self._discard(host)
            return TaskResult(task.assignment_id, task.student_id, task.fingerprint, tasks.CRASHED,
                              time.monotonic() - started, error=str(failure), worker=socket.gethostname(),
                              infrastructure=True)
        with self._lock:
            self._idle.append(host)
        return result

    def _discard(self, host: Host) -> None:
        with self._lock:
            self._all.discard(host)
        host.close()

    def close(self) -> None:
        """End every host of the pool. A busy one stops its grading (and everything the grading started) as
        soon as its input closes, so an interrupted batch leaves nothing running."""
        with self._lock:
            hosts = list(self._all)
            self._all.clear()
            self._idle.clear()
        for host in hosts:
            host.close()


#: The name of the Dask worker plugin holding a worker's pool (``autograde.batch.cluster.HostsOnWorker``).
WORKER_PLUGIN = "dlkit-hosts"


def grade_on_worker(task: Task) -> TaskResult:
    """What a Dask worker runs for one task: ``HostPool.grade`` on the pool of its ``WORKER_PLUGIN``."""
    from distributed import get_worker

    return get_worker().plugins[WORKER_PLUGIN].pool.grade(task)
