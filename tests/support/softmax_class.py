"""A small class of softmax_mlp submissions for the tests of grading a class (tests/batch/): the softmax exercise
alone (the `mlp` notebook is not submitted, so nbgrader scores it 0), which keeps each submission to a few
seconds of grading; and what those tests read of the processes a grading leaves."""
from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

from autograde import cli
from autograde.course import commands, config, submissions
from autograde.kit import REPO
from support import grading_state
from support.examples import bug_file

ASSIGNMENT = "softmax_mlp"
STARTER = REPO / "starter/softmax_mlp/softmax_classifier.py"
#: Full marks are rare in a class; a starter, a wrong gradient and an unstable softmax are not.
CLASS = {"starter": STARTER,
         "gradient_not_averaged": bug_file(ASSIGNMENT, "gradient_not_averaged", "softmax_classifier.py"),
         "softmax_without_max_subtraction": bug_file(ASSIGNMENT, "softmax_without_max_subtraction",
                                                     "softmax_classifier.py")}
TIMESTAMPS = {"softmax_without_max_subtraction": "2026-03-01 09:30:00.000000 UTC"}


def copy_course(released: Path, target: Path) -> Path:
    shutil.copytree(released, target)
    config.write(target)  # the configuration names the course's own folder
    return target


def stage(course_dir: Path, students: dict[str, Path]) -> None:
    """Submit the softmax notebook and ``softmax_classifier.py`` of each student."""
    for student, path in students.items():
        folder = submissions.stage(course_dir, ASSIGNMENT, student, {"softmax_classifier.py": path})
        (folder / "mlp.ipynb").unlink()
        if student in TIMESTAMPS:
            (folder / "timestamp.txt").write_text(TIMESTAMPS[student])


def gradebook_state(course_dir: Path) -> dict:
    return grading_state.gradebook_state(course_dir, ASSIGNMENT)


def export(course_dir: Path) -> list[dict]:
    commands.run(course_dir, "export", "--to", "grades.csv")
    with open(course_dir / "grades.csv") as rows:
        return sorted(csv.DictReader(rows), key=lambda row: row["student_id"])


def working_in(folder: Path) -> list[int]:
    """Every process of the machine whose working directory is inside ``folder``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and os.readlink(entry / "cwd").startswith(str(folder)):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[1])


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def cli_output(arguments: list[str], capsys) -> str:
    """What ``dlkit ARGUMENTS`` printed, once it succeeded."""
    assert cli.main(arguments) == 0
    return capsys.readouterr().out
