"""nbgrader's own commands, run in a course directory with the kit's environment."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from autograde import intake
from autograde.course import config


class NbgraderFailed(RuntimeError):
    """An nbgrader command failed; the message carries its output."""


def tools_on_path() -> None:
    """Put this environment's scripts first on PATH: nbgrader's gradebook runs ``alembic`` from there."""
    scripts = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != scripts:
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def environment(data_dir: Path | None = None) -> dict[str, str]:
    """Environment of nbgrader runs: kernels and checks find the shared dataset folder, and the
    notebooks' experiments run in their quick form (grades come from the checks, not from them)."""
    from data_scripts import data_dir as default_data_dir

    tools_on_path()
    return {**os.environ, "DLKIT_DATA": str((data_dir or default_data_dir()).resolve()), "DLKIT_QUICK": "1"}


def run(course_dir: Path, *arguments: str) -> str:
    """Run one nbgrader command in the course; return its log or raise NbgraderFailed."""
    executable = Path(sys.executable).with_name("nbgrader")
    command = [str(executable) if executable.exists() else "nbgrader", *arguments]
    completed = subprocess.run(command, cwd=course_dir, capture_output=True, text=True, env=environment())
    log = completed.stdout + completed.stderr
    if completed.returncode != 0:
        raise NbgraderFailed(f"`nbgrader {' '.join(arguments)}` failed (exit {completed.returncode}):\n{log[-4000:]}")
    return log


def autograde(course_dir: Path, assignment_id: str, student: str | None = None) -> str:
    """``nbgrader autograde`` in one process, one submission after another (the batch grades in
    parallel instead: ``autograde.batch.coordinator``); then make sure every grade came from the
    trusted checks."""
    arguments = ["autograde", assignment_id, "--force"]
    if student:
        arguments.append(f"--student={student}")
    log = run(course_dir, *arguments)
    untrusted = untrusted_notebooks(course_dir, assignment_id, student)
    if untrusted:
        raise NbgraderFailed("nbgrader scored these notebooks without the trusted checks (is "
                             "autograde.course.preprocessor.TrustedChecks configured?):\n  "
                             + "\n  ".join(map(str, untrusted)) + f"\n{log[-3000:]}")
    return log


def untrusted_notebooks(course_dir: Path, assignment_id: str, student: str | None = None) -> list[Path]:
    """Autograded notebooks with a grade cell that the trusted checks did not overwrite."""
    import nbformat
    from nbgrader import utils

    pattern = f"{student or '*'}/{assignment_id}/*.ipynb"
    untrusted = []
    for path in sorted((course_dir / "autograded").glob(pattern)):
        notebook = nbformat.read(path, as_version=4)
        if any(utils.is_grade(c) and c.cell_type == "code" and "dlkit" not in c.metadata for c in notebook.cells):
            untrusted.append(path)
    return untrusted


def feedback(course_dir: Path, assignment_id: str) -> Path:
    """``nbgrader generate_feedback``: HTML feedback in ``course_dir/feedback``, hidden tests removed.

    nbgrader copies every file of each autograded folder into the student's feedback: a folder with a
    link, a device or an oversized file (``intake``) stops the command before anything is copied.
    """
    for folder in sorted((course_dir / "autograded").glob(f"*/{assignment_id}")):
        try:
            if folder.parent.is_symlink():
                raise intake.SubmissionRejected(f"{folder.parent.name} is a symbolic link")
            intake.read_folder(folder, config.IGNORE)
        except intake.SubmissionRejected as error:
            raise NbgraderFailed(f"no feedback generated: {folder} holds a file the kit does not copy: {error}") \
                from None
    run(course_dir, "generate_feedback", assignment_id, "--force")
    return course_dir / "feedback"
