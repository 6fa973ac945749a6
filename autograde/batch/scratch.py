"""Grade one task in a scratch course of its own, in the child a host forked for it.

The course holds the task's source folder, the one submission and a gradebook holding only the
assignment; ``nbgrader autograde`` runs in this process with
``autograde.course.preprocessor.TrustedChecks`` configured exactly as in the real course, under
the task's limits, and what nbgrader produced goes back to the coordinator.
"""
from __future__ import annotations

import os
import pickle
import re
import socket
import sys
import tempfile
import time
import traceback
from pathlib import Path

from autograde import timing
from autograde.batch import tasks
from autograde.batch.tasks import Task, TaskResult
from autograde.course import commands, config
from autograde.sandbox import confine
from autograde.sandbox.context import GradingContext
from autograde.student import registry



def graded_payload(task: Task, scratch: Path, started: float) -> bytes:
    """The pickled result of grading ``task`` in ``scratch``; a failure becomes a CRASHED result."""
    context = GradingContext(key=task.key, submission=(task.student_id, task.assignment_id))
    try:
        result = _grade_in_scratch(task, scratch, context)
    except BaseException:  # noqa: BLE001 - whatever happened, the coordinator gets a record of it
        result = TaskResult(task.assignment_id, task.student_id, task.fingerprint, tasks.CRASHED, 0.0,
                            error=traceback.format_exc()[-4000:])
    finally:
        context.close()  # the notebooks' kernel sandbox, and its copy of the submission
    if context.faults:  # a sandbox was killed from outside: this grading says nothing about the submission
        result = TaskResult(task.assignment_id, task.student_id, task.fingerprint, tasks.CRASHED, 0.0,
                            error="; ".join(context.faults), infrastructure=True)
    result.seconds = time.monotonic() - started
    result.worker = f"{socket.gethostname()}:{os.getppid()}"
    result.sandboxed = confine.bubblewrap() is not None
    return pickle.dumps(result)


def _grade_in_scratch(task: Task, scratch: Path, context: GradingContext) -> TaskResult:
    assignment_id, student_id = task.assignment_id, task.student_id
    course_dir = scratch / "course"
    temporary = scratch / "tmp"
    temporary.mkdir()
    tasks.write_folder(course_dir / "source" / assignment_id, task.source)
    submitted = course_dir / "submitted" / student_id / assignment_id
    tasks.write_folder(submitted, task.submission)
    (course_dir / "gradebook.db").write_bytes(task.gradebook)
    config.write(course_dir, limits=task.limits, course_secret=False)  # the grading's key is in its context
    # Temporary files of the grader, the kernel and the sandbox all land in the scratch
    # folder, which the host removes even when it had to kill this process.
    os.environ.update(commands.environment(), **confine.SINGLE_THREADED, TMPDIR=str(temporary),
                      JUPYTER_RUNTIME_DIR=str(scratch / "runtime"))
    tempfile.tempdir = str(temporary)
    os.chdir(course_dir)
    # The checks grade the files as submitted: what the notebook's kernel writes later never reaches them.
    spec = registry.get(assignment_id)
    context.submitted = {relative: task.submission[relative] for relative in spec.student_files
                         if relative in task.submission}
    log = scratch / "nbgrader.log"
    _redirect_output(log)
    with timing.phase("nbgrader autograde (all of the above)"):
        code = _nbgrader_autograde(assignment_id, student_id, context)
    sys.stderr.flush()
    text = log.read_text(errors="replace")

    def failed(error: str) -> TaskResult:
        return TaskResult(assignment_id, student_id, task.fingerprint, tasks.CRASHED, 0.0, error=error)

    if code != 0:
        return failed(_errors(text, course_dir))
    autograded = course_dir / "autograded" / student_id / assignment_id
    if not list(autograded.glob("*.ipynb")):
        return failed("nbgrader produced no autograded notebook:\n" + text[-3000:])
    untrusted = commands.untrusted_notebooks(course_dir, assignment_id, student_id)
    if untrusted:
        return failed("nbgrader scored these notebooks without the trusted checks (is "
                      "autograde.course.preprocessor.TrustedChecks configured?): " + ", ".join(p.name for p in untrusted))
    result = TaskResult(assignment_id, student_id, task.fingerprint, tasks.GRADED, 0.0)
    result.files = {path.relative_to(autograded).as_posix(): (path.read_bytes(), path.stat().st_mode & 0o7777)
                    for path in sorted(autograded.rglob("*")) if path.is_file()}
    _read_gradebook(course_dir, submitted, result)
    failures, warnings = findings(autograded)
    if failures:
        result.status, result.error = tasks.DID_NOT_IMPORT, "\n".join(failures)
    result.warnings += warnings
    return result


def findings(autograded: Path) -> tuple[list[str], list[str]]:
    """(the files that did not import, the imports the grader lacks) as the trusted checks recorded them in the
    autograded notebooks (``TrustedChecks``), each said once."""
    import nbformat

    failures: dict[str, str] = {}
    warnings: dict[str, None] = {}
    for path in sorted(autograded.glob("*.ipynb")):
        recorded = nbformat.read(path, as_version=4).metadata.get("dlkit", {})
        failures.update(recorded.get("did_not_import", {}))
        warnings.update(dict.fromkeys(recorded.get("warnings", [])))
    return list(failures.values()), list(warnings)


def _redirect_output(log: Path) -> None:
    """nbgrader's log, the kernel's and the sandbox's output go to ``log``, not to the host."""
    sys.stdout.flush()
    sys.stderr.flush()
    output = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(output)
    os.close(nothing)


def _nbgrader_autograde(assignment_id: str, student_id: str, context: GradingContext) -> int:
    """``nbgrader autograde ASSIGNMENT --student STUDENT --force`` in this process, its trusted checks and kernels
    serving ``context``; its exit code."""
    from nbgrader.apps.nbgraderapp import NbGraderApp
    from traitlets.config import Config

    handed = Config()
    handed.TrustedChecks.grading = context
    handed.SandboxedExecute.grading = context
    try:
        NbGraderApp.launch_instance(["autograde", assignment_id, f"--student={student_id}", "--force"], config=handed)
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    return 0


def _errors(log: str, course_dir: Path) -> str:
    """What went wrong, from nbgrader's log: the exception and the notebook on the first line,
    then nbgrader's error lines and tracebacks (paths relative to the scratch course)."""
    lines = log.replace(f"{course_dir}/", "").splitlines()
    start = next((i for i, line in enumerate(lines) if "| ERROR]" in line), None)
    if start is None:
        return "\n".join(lines[-40:]).strip() or "nbgrader failed without a message"
    exceptions = [line.strip() for line in lines[start:] if re.match(r"\s*[\w.]+(Error|Exception|Interrupt)\b.*:", line)]
    notebooks = [line.split()[-1] for line in lines[:start] if re.search(r"\| INFO\] (Sanitizing|Autograding) ", line)]
    summary = exceptions[-1] if exceptions else lines[start].split("]", 1)[-1].strip()
    if notebooks:
        summary += f" (in {Path(notebooks[-1]).name})"
    return summary + "\n" + "\n".join(lines[start:])[-3000:]


def _read_gradebook(course_dir: Path, submitted: Path, result: TaskResult) -> None:
    from nbgrader.api import Gradebook

    url = f"sqlite:///{course_dir / 'gradebook.db'}"
    with Gradebook(url, config.COURSE_ID) as gradebook:
        submission = gradebook.find_submission(result.assignment_id, result.student_id)
        result.timestamp = submission.timestamp
        for notebook in submission.notebooks:
            was_submitted = (submitted / f"{notebook.name}.ipynb").exists()
            result.penalties[notebook.name] = notebook.late_submission_penalty
            result.grades += [tasks.Grade(notebook.name, grade.name, grade.auto_score, was_submitted)
                              for grade in notebook.grades]
            result.comments += [tasks.Comment(notebook.name, comment.name, comment.auto_comment)
                                 for comment in notebook.comments]


