"""Grading tasks and their results: plain data that crosses processes and machines.

A task carries every file a worker needs as bytes (the assignment's source folder, one
submission, and a gradebook that holds the assignment but no student), so a worker on
another machine needs no shared filesystem: only the kit installed, and bubblewrap. A
result carries back what nbgrader produced for that submission, for the one coordinator
to write into the real course.
"""
from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from autograde import course

GRADED = "graded"
CRASHED = "crashed"
TIMED_OUT = "timed out"


@dataclass(frozen=True)
class Task:
    assignment_id: str
    student_id: str
    #: ``source/<assignment>/`` of the course: relative path -> content.
    source: dict[str, bytes]
    #: ``submitted/<student>/<assignment>/``: relative path -> content.
    submission: dict[str, bytes]
    #: A SQLite gradebook with the assignment's notebooks and cells, and no student.
    gradebook: bytes
    #: Wall-clock seconds the whole submission may take on the worker.
    seconds_limit: float
    #: Identifies the submission's files, the source and the checks (see ``fingerprint``).
    fingerprint: str


@dataclass(frozen=True)
class Grade:
    """One grade cell of one submitted notebook, as nbgrader's autograde left it."""

    notebook: str
    cell: str
    auto_score: float | None
    #: False when the notebook was not submitted: nbgrader then scores its cells 0 without review.
    submitted: bool


@dataclass(frozen=True)
class Comment:
    notebook: str
    cell: str
    auto_comment: str | None


@dataclass
class Result:
    assignment_id: str
    student_id: str
    fingerprint: str
    status: str                      # GRADED, CRASHED or TIMED_OUT
    seconds: float
    error: str = ""                  # what went wrong, when the status is not GRADED
    worker: str = ""                 # host:pid of the process that graded it
    #: ``autograded/<student>/<assignment>/``: relative path -> (content, permission bits).
    files: dict[str, tuple[bytes, int]] = field(default_factory=dict)
    grades: list[Grade] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    #: notebook -> late submission penalty nbgrader assigned (None: none).
    penalties: dict[str, float | None] = field(default_factory=dict)
    timestamp: datetime.datetime | None = None


def read_folder(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` that nbgrader would copy (``course.IGNORE`` left out)."""
    from nbgrader.utils import find_all_files

    return {Path(path).relative_to(folder).as_posix(): Path(path).read_bytes()
            for path in sorted(find_all_files(str(folder), course.IGNORE))}


def write_folder(folder: Path, files: dict[str, bytes]) -> None:
    for relative, content in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def _digest(files: dict[str, bytes]) -> hashlib.sha256:
    digest = hashlib.sha256()
    for relative in sorted(files):
        digest.update(relative.encode() + b"\0" + hashlib.sha256(files[relative]).digest())
    return digest


def checks_digest(assignment_id: str) -> str:
    """Hash of the assignment's checks, the check framework and the accuracy bars."""
    package = Path(__file__).resolve().parent
    paths = [*(package / "checks").glob("*.py"), *(package / "checks" / assignment_id).rglob("*.py"),
             package / "thresholds.json"]
    return _digest({p.relative_to(package).as_posix(): p.read_bytes() for p in paths}).hexdigest()


def fingerprint(submission: dict[str, bytes], source_digest: str) -> str:
    """Changes when the student's files change, or the grading does (source folder, checks):
    a restarted run regrades exactly the submissions whose fingerprint it has not recorded."""
    digest = _digest(submission)
    digest.update(source_digest.encode())
    return digest.hexdigest()


def source_digest(source: dict[str, bytes], assignment_id: str) -> str:
    return _digest({**source, "checks": checks_digest(assignment_id).encode()}).hexdigest()
