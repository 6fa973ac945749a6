"""No submission stops the class, and one rule decides who is a student (issue 32, items 5 and 6).

The red team's inputs, handed in beside an honest student through `dlkit autograde --submissions` and
placed straight into nbgrader's `submitted/`: each costs its own student alone (rejected, with the reason
recorded, or refused by name when the name cannot be a student id), and the honest student is graded."""
from __future__ import annotations

import os
import shutil
import tarfile
import unicodedata
import zipfile
from pathlib import Path

import pytest

from autograde import cli, intake
from autograde.batch import tasks
from autograde.batch.ledger import Ledger
from autograde.course import submissions
from autograde.grading import runner
from autograde.reports import grade_table
from autograde.student import registry
from support.examples import bug_file

ASSIGNMENT = "softmax_mlp"
HONEST = bug_file(ASSIGNMENT, "gradient_not_averaged", "softmax_classifier.py")
JOSE = "Jos\u00e9"


def hand_in(folder: Path, name: str = "softmax_classifier.py") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(HONEST, folder / name)
    return folder


def zipped(path: Path, extra=()) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(HONEST, "softmax_classifier.py")
        for name in extra:
            archive.writestr(name, b"")


@pytest.fixture
def course(tmp_path, release_copy):
    return release_copy(ASSIGNMENT, tmp_path / "course")


def test_the_red_teams_inputs_each_cost_their_own_student_alone(course, tmp_path, capsys):
    incoming = tmp_path / "incoming"
    hand_in(incoming / "honest")
    # Names that are not student ids.
    zipped(incoming / "...zip")           # the student ".."
    zipped(incoming / "..zip")            # the student "."
    hand_in(incoming / " lead")
    hand_in(incoming / "a[b]")
    hand_in(incoming / "new\nline")
    hand_in(Path(os.fsdecode(bytes(incoming / "bad") + b"\xff")))
    # Names that are one student.
    hand_in(incoming / "Alice")
    zipped(incoming / "alice.zip")
    hand_in(incoming / JOSE)
    zipped(incoming / (unicodedata.normalize("NFD", JOSE) + ".zip"))
    # Submissions that stopped the class.
    deep = hand_in(incoming / "deep")
    for depth in range(1, 1201):
        (deep / "/".join(["e"] * depth)).mkdir()
    hand_in(incoming / "odd_file")
    open(bytes(incoming / "odd_file" / "notes") + b"\xff.txt", "wb").close()
    zipped(incoming / "litter.zip", [f"__MACOSX/._{i}" for i in range(10_001)])
    with open("/dev/zero", "rb") as zeros, tarfile.open(incoming / "data.tar.gz", "w:gz", compresslevel=1) as archive:
        archive.add(HONEST, "softmax_classifier.py")
        big = tarfile.TarInfo("data/cifar.bin")
        big.size = 300 << 20  # left out by name, so never size-checked: yet listing it unpacks it all
        archive.addfile(big, zeros)
    # And straight into nbgrader's submitted/, as a collect or a copy could leave them.
    planted = submissions.stage(course, ASSIGNMENT, "planted", {"softmax_classifier.py": HONEST})
    open(bytes(planted / "notes") + b"\xff.txt", "wb").close()
    submissions.stage(course, ASSIGNMENT, "has space", {"softmax_classifier.py": HONEST})
    before = sorted(path.name for path in course.iterdir())

    try:
        assert cli.main(["autograde", ASSIGNMENT, "--course-dir", str(course), "--submissions", str(incoming),
                         "--jobs", "2"]) == 0
    finally:
        for depth in range(1200, 0, -1):  # pytest's clean-up (shutil.rmtree) recurses
            (deep / "/".join(["e"] * depth)).rmdir()
    printed = capsys.readouterr().out
    assert "1 graded, 8 rejected" in printed and "7 refused by name (not a student id)" in printed, printed
    for line in ["  '..': refused, not graded or recorded: '...zip' is not a student id: a student id starts with a "
                 "letter or a digit",
                 "  '.': refused, not graded or recorded: '..zip' is not a student id",
                 "  ' lead': refused, not graded or recorded: ' lead' is not a student id",
                 "  'a[b]': refused, not graded or recorded: 'a[b]' is not a student id: a student id holds letters, "
                 "digits and . _ - @ only, not '[' ']'",
                 "  'new\\nline': refused, not graded or recorded: 'new\\nline' is not a student id",
                 "  'bad\\xff': refused, not graded or recorded: 'bad\\xff' is not a student id: the name is not "
                 "valid UTF-8 text",
                 "  'has space': refused, not graded or recorded: not a student id: a student id holds letters, "
                 "digits and . _ - @ only, not a space"]:
        assert line in printed, (line, printed)

    _, rows = grade_table.collect(course, ASSIGNMENT)
    by_student = {row.student: row for row in rows}
    honest = by_student.pop("honest")
    assert honest.status == tasks.GRADED and honest.time_source == submissions.FILES_TIME
    # The ledger records the grading's nonce: with the course's secret, the inputs its checks drew.
    graded = intake.read_folder(course / "submitted" / "honest" / ASSIGNMENT,
                                only=registry.get(ASSIGNMENT).student_files)
    assert Ledger(course, ASSIGNMENT).latest()["honest"]["nonce"] == runner.inputs_nonce(ASSIGNMENT, graded)
    for student, words in [("Alice", "Alice and alice are the same student once case is folded: keep one"),
                           ("alice", "alice and Alice are the same student"),
                           (JOSE, f"both {unicodedata.normalize('NFD', JOSE)}.zip and {JOSE}/ are in"),
                           ("deep", "is 32 folders deep"),
                           ("odd_file", "notes\\xff.txt: the name is not valid UTF-8"),
                           ("planted", "notes\\xff.txt: the name is not valid UTF-8"),
                           ("litter", "litter.zip holds 10,002 entries, more than 10,000"),
                           ("data", "data.tar.gz unpacks to more than 268,435,456 bytes in all")]:
        row = by_student.pop(student)
        assert row.status == tasks.REJECTED and words in row.error, (student, row.error)
    assert by_student == {}
    # Nothing was written outside submitted/<student>/ (the student ".." would have been course/softmax_mlp).
    assert {path.name for path in course.iterdir()} - set(before) <= {"autograded", "ledger"}
    assert sorted(path.name for path in (course / "submitted").iterdir()) == sorted(
        ["honest", "Alice", "alice", "planted", "has space"])
    assert cli.main(["grades", ASSIGNMENT, "--course-dir", str(course)]) == 0
    assert "When each submission was handed in, from: the newest file time on this disk (1)" in capsys.readouterr().out
    assert cli.main(["feedback", ASSIGNMENT, "--course-dir", str(course)]) == 0
