"""Grading tasks and their results: plain data that crosses processes and machines.

A task carries every file a worker needs as bytes (the assignment's source folder, one
submission, and a gradebook that holds the assignment but no student), so a worker on
another machine needs no shared filesystem: only the kit installed, and bubblewrap. A
result carries back what nbgrader produced for that submission, for the one coordinator
to write into the real course.
"""
from __future__ import annotations

import datetime
import enum
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from autograde import intake
from autograde import kit
from autograde.course import config
from autograde.limits import Limits

class Status(enum.StrEnum):
    """What became of a submission's grading. A str: the ledger's JSON and the grade table's CSV hold its value."""

    GRADED = "graded"
    #: Graded, but a student's file did not import (``autograde.student.imports``): the checks that needed it
    #: earned nothing and the others their points; the grade table and the report list it with the failures.
    DID_NOT_IMPORT = "did not import"
    CRASHED = "crashed"
    TIMED_OUT = "timed out"
    #: The submission could not be read safely (a link, a device, a file too large: ``autograde.intake``), or
    #: its student id clashes with another's.
    REJECTED = "rejected"

    @property
    def scored(self) -> bool:
        """Whether the submission has scores (``SCORED``)."""
        return self in SCORED


GRADED, DID_NOT_IMPORT, CRASHED, TIMED_OUT, REJECTED = Status
#: The statuses that come with scores.
SCORED = (Status.GRADED, Status.DID_NOT_IMPORT)


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
    #: Identifies the submission's files, the source and the checks (see ``fingerprint``).
    fingerprint: str
    #: What grading it may use; ``limits.submission_seconds`` is the wall time of the whole submission.
    limits: Limits = Limits()
    #: The key of this grading (``checks.grading_key`` of the course's secret and ``nonce``): the inputs the checks
    #: draw. A task never carries the course's secret: a grading host learns nothing of other gradings' inputs.
    key: int | None = None
    #: What the coordinator changed in the submission before grading it, for the grade table.
    warnings: tuple[str, ...] = ()
    #: Identifies the submission's files alone (``files_digest``): unlike the fingerprint, the same when the checks change.
    files_digest: str = ""
    #: The grading's nonce (``runner.inputs_nonce``): with the course's secret, the key of its inputs.
    nonce: str = ""


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
class TaskResult:
    """What grading one task produced, for the coordinator to record."""

    assignment_id: str
    student_id: str
    fingerprint: str
    status: Status
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
    #: False when the worker had no bubblewrap and the limits allowed grading without it.
    sandboxed: bool = True
    #: What the grade table and the report should say beside the score (an unreadable notebook replaced).
    warnings: list[str] = field(default_factory=list)
    #: The graded submission's ``files_digest`` ("" when its files could not be read).
    files_digest: str = ""
    #: The grading's nonce (``Task.nonce``), recorded in the ledger: with the course's secret, it reproduces the inputs.
    nonce: str = ""
    #: The grading failed for a reason outside the submission (its process died or was killed from
    #: outside): ``pool.HostPool.grade`` tries it once more before this is recorded.
    infrastructure: bool = False


def read_folder(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` that nbgrader would copy (``config.IGNORE`` left out), read safely:
    raises ``intake.SubmissionRejected`` for a link, a device, a file too large (``autograde.intake``)."""
    return intake.read_folder(folder, config.IGNORE)


def write_folder(folder: Path, files: dict[str, bytes]) -> None:
    intake.write_folder(folder, files)


def unreadable_notebooks_replaced(files: dict[str, bytes], released: dict[str, bytes]) -> tuple[dict[str, bytes],
                                                                                                  list[str]]:
    """``files`` with every notebook of ``released`` (name -> content) that is not a valid notebook
    replaced by the released one, and a warning for each: the scores that come from the student's
    ``.py`` files do not depend on the notebook, and nbgrader cannot grade a notebook it cannot read."""
    import nbformat

    files, warnings = dict(files), []
    for name, content in sorted(released.items()):
        if name not in files:
            continue
        try:
            nbformat.validate(nbformat.reads(files[name].decode("utf-8"), as_version=4))
        except Exception as error:  # noqa: BLE001 - JSON, encoding and schema errors alike
            reason = " ".join(str(error).split())
            reason = reason if len(reason) <= 80 else reason[:77] + "..."
            files[name] = content
            warnings.append(f"{name} is not a readable notebook ({type(error).__name__}: {reason}): the released "
                            f"{name} was graded in its place, so its scores come from the .py files alone")
    return files, warnings


def _digest(files: dict[str, bytes]) -> hashlib.sha256:
    digest = hashlib.sha256()
    for relative in sorted(files):
        digest.update(relative.encode() + b"\0" + hashlib.sha256(files[relative]).digest())
    return digest


def grading_files(assignment_id: str) -> dict[str, bytes]:
    """Everything besides the submission that decides its score, by path in the kit: the assignment's
    folder (its checks), the student side (check framework, gradcheck, loader), the grading core
    (runner, calibration, the accuracy bars), the sandbox, and the reference solution."""
    package = Path(__file__).resolve().parent.parent
    folders = [(package.parent, package / name) for name in ("student", f"assignments/{assignment_id}", "grading",
                                                              "sandbox")]
    folders.append((kit.SOLUTIONS.parent, kit.solutions(assignment_id)))
    return {path.relative_to(root).as_posix(): path.read_bytes() for root, folder in folders
            for path in sorted(folder.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".json")}


def grading_digest(assignment_id: str, limits: Limits = Limits()) -> str:
    """Hash of ``grading_files`` and of the limits."""
    files = grading_files(assignment_id)
    files["limits"] = repr(sorted(limits.to_dict().items())).encode()
    return _digest(files).hexdigest()


def files_digest(submission: dict[str, bytes]) -> str:
    """Changes when the student's files change, and only then (the time it was handed in left out)."""
    return _digest({name: content for name, content in submission.items() if name != "timestamp.txt"}).hexdigest()


def fingerprint(submission: dict[str, bytes], source_digest: str) -> str:
    """Changes when the student's files change, or the grading does (source folder, checks):
    a restarted run regrades exactly the submissions whose fingerprint it has not recorded."""
    digest = _digest(submission)
    digest.update(source_digest.encode())
    return digest.hexdigest()


def source_digest(source: dict[str, bytes], assignment_id: str, limits: Limits = Limits(),
                  secret: int | None = None) -> str:
    """Hash of the assignment's source folder and of its grading (``grading_digest``, the secret)."""
    return _digest({**source, "grading": grading_digest(assignment_id, limits).encode(),
                    "secret": str(secret).encode()}).hexdigest()
