"""Submissions put into the course's ``submitted/`` folder, where nbgrader and the batch find them."""
from __future__ import annotations

import shutil
from pathlib import Path

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


def import_folder(course_dir: Path, assignment_id: str, folder: Path) -> list[str]:
    """Stage every ``folder/<student>/`` (the student's files, optionally notebooks); return the students."""
    spec = registry.get(assignment_id)
    allowed = list(spec.student_files) + [f"{n}.ipynb" for n in spec.notebooks]
    students = []
    for student_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        files = {name: student_dir / name for name in allowed if (student_dir / name).is_file()}
        stage(course_dir, assignment_id, student_dir.name, files)
        students.append(student_dir.name)
    return students
