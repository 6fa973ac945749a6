"""The ledger of a batch: what the coordinator recorded for each submission, so a killed run resumes."""
from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from autograde.batch.tasks import TaskResult
from autograde.errors import UsageError


class CourseBusy(UsageError):
    """Another process is grading the course."""


class Ledger:
    """One JSON line per result of an assignment (``COURSE/ledger/ASSIGNMENT.jsonl``); the latest
    line of a student wins. Appending a line is atomic enough for a single writer, and a line
    cut short by a kill is ignored on reading."""

    def __init__(self, course_dir: Path, assignment_id: str):
        self.path = course_dir / "ledger" / f"{assignment_id}.jsonl"

    def append(self, result: TaskResult) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"student": result.student_id, "status": result.status, "fingerprint": result.fingerprint,
                           "seconds": round(result.seconds, 3), "error": result.error, "worker": result.worker,
                           "sandboxed": result.sandboxed, "warnings": result.warnings, "files": result.files_digest,
                           "nonce": result.nonce,
                           "recorded": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")})
        with open(self.path, "a+b") as ledger:
            size = ledger.seek(0, os.SEEK_END)
            if size and (ledger.seek(size - 1), ledger.read(1))[1] != b"\n":
                line = "\n" + line  # end the line a killed run left unfinished
            ledger.write(line.encode() + b"\n")
            ledger.flush()
            os.fsync(ledger.fileno())

    def entries(self) -> list[dict]:
        """Every complete line, oldest first."""
        if not self.path.exists():
            return []
        entries = []
        for line in self.path.read_text().splitlines():
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # the end of a line that a killed run did not finish
        return entries

    def latest(self) -> dict[str, dict]:
        """student -> the last entry recorded for them."""
        return {entry["student"]: entry for entry in self.entries()}


#: The lock of a course's grading, beside its ledgers: held by the run grading it, released when that
#: run ends however it ends (the kernel drops a dead process's locks).
LOCK = ".lock"


@dataclass(frozen=True)
class CourseLock:
    """Proof that the process holds the grading lock of the course at ``course_dir`` (``course_lock``)."""

    course_dir: Path

    def holds(self, course_dir: Path) -> bool:
        return self.course_dir == course_dir.resolve()


@contextlib.contextmanager
def course_lock(course_dir: Path, wait: bool = False, doing: str = "grading", held: CourseLock | None = None):
    """Hold the course's grading lock for the block (it yields a ``CourseLock``): one run grades a course at a time.

    Another process holding it raises CourseBusy naming that process, or, with ``wait``, this one
    waits for it (saying so once on stderr). A caller already holding it passes its ``held``: the block
    then runs under that lock.
    """
    if held is not None and held.holds(course_dir):
        yield held
        return
    path = course_dir / "ledger" / LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 4096, 0).decode(errors="replace").strip() or "a process"
            if not wait:
                raise CourseBusy(f"another dlkit run is already {holder} in {course_dir}: wait for it to end, "
                                 "or pass --wait to start when it does") from None
            print(f"waiting: another dlkit run is {holder} in {course_dir}", file=sys.stderr, flush=True)
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        since = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{doing} (pid {os.getpid()} on {socket.gethostname()}, since {since})\n".encode(), 0)
        try:
            yield CourseLock(course_dir.resolve())
        finally:
            os.ftruncate(descriptor, 0)
    finally:
        os.close(descriptor)  # releases the lock
