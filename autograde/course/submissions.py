"""Submissions put into the course's ``submitted/`` folder, where nbgrader and the batch find them."""
from __future__ import annotations

import shutil
from pathlib import Path

from autograde import intake
from autograde.errors import UsageError
from autograde.student import registry


def stage(course_dir: Path, assignment_id: str, student: str, files: dict[str, Path]) -> Path:
    """Put a submission in nbgrader's submitted/ folder: the released notebooks plus ``files``
    (path in the submission -> file to copy)."""
    target = course_dir / "submitted" / student / assignment_id
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(course_dir / "release" / assignment_id, target)
    for name, path in files.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / name)
    return target


def require_released(course_dir: Path, assignment_id: str) -> None:
    """Raise UsageError, saying what to run, when ``assignment_id`` has no release in ``course_dir``."""
    if not (course_dir / "release" / assignment_id).is_dir():
        raise UsageError(f"{assignment_id} is not released in {course_dir}: run "
                         f"`dlkit release {assignment_id} --course-dir {course_dir}` first")


def import_folder(course_dir: Path, assignment_id: str, folder: Path) -> tuple[list[str], dict[str, str]]:
    """Stage every ``folder/<student>/`` (the student's files, optionally notebooks), read safely
    (``intake.read_folder``: no links, devices or oversized files).

    Returns (the students staged, {student: why} for those refused). A refused student's earlier
    submission, if any, is removed from ``submitted/``, so that it is not graded instead.
    """
    spec = registry.get(assignment_id)
    allowed = list(spec.student_files) + [f"{n}.ipynb" for n in spec.notebooks]
    require_released(course_dir, assignment_id)
    if not folder.exists():
        raise UsageError(f"the submissions folder {folder} does not exist")
    if not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder: --submissions takes a folder that holds one folder "
                         f"per student (<student>/<files>)")
    students = sorted(p for p in folder.iterdir() if p.is_dir() or p.is_symlink())
    if not students:
        raise UsageError(f"{folder} holds no student folders: --submissions takes a folder of "
                         f"<student>/<files>, such as <student>/{spec.student_files[0]}")
    staged, refused = [], {}
    for student_dir in students:
        student = student_dir.name
        try:
            files = intake.read_folder(student_dir, only=allowed)
        except intake.SubmissionRejected as error:
            refused[student] = str(error)
            shutil.rmtree(course_dir / "submitted" / student / assignment_id, ignore_errors=True)
            continue
        target = stage(course_dir, assignment_id, student, {})
        intake.write_folder(target, files)
        staged.append(student)
    return staged, refused
