"""Autograding a class in parallel gives the gradebook of sequential nbgrader: on local workers and on a Dask
cluster, with an unreadable notebook, beside linked and special files (rejected, costing no one else anything),
and without bubblewrap only when the instructor allows it.
"""
from __future__ import annotations

import csv
import os
import shutil
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograde import cli
from autograde.batch import coordinator, security, tasks
from autograde.batch.ledger import Ledger
from autograde.course import build, commands, config, submissions
from autograde.kit import REPO
from autograde.reports import grade_table
from autograde.sandbox import confine
from support.dask_cluster import tls_cluster, tls_options
from support.softmax_class import (ASSIGNMENT, CLASS, STARTER, cli_output, copy_course, export,
                                   gradebook_state, parent, stage)


@pytest.fixture(scope="module")
def sequential(released, tmp_path_factory):
    """The class graded the plain way: one `nbgrader autograde` over every submission."""
    course_dir = copy_course(released, tmp_path_factory.mktemp("sequential") / "course")
    stage(course_dir, CLASS)
    commands.autograde(course_dir, ASSIGNMENT)
    return course_dir


def test_parallel_workers_grade_exactly_like_sequential_nbgrader(released, sequential, tmp_path):
    course_dir = copy_course(released, tmp_path / "course")
    stage(course_dir, CLASS)
    summary = coordinator.grade_class(course_dir, ASSIGNMENT, jobs=2, progress=False)
    assert {r.student_id: r.status for r in summary.results} == dict.fromkeys(CLASS, tasks.GRADED)
    assert len({r.worker for r in summary.results}) == 2, "both workers should have graded"
    parallel, plain = gradebook_state(course_dir), gradebook_state(sequential)
    assert parallel == plain
    scores = {student: sum(s for s, _, _ in state["grades"].values()) for student, state in plain.items()}
    assert scores["starter"] == 0 and 0 < scores["gradient_not_averaged"] < scores["softmax_without_max_subtraction"] < 39
    assert plain["softmax_without_max_subtraction"]["timestamp"].isoformat().startswith("2026-03-01T09:30")
    assert export(course_dir) == export(sequential)
    assert commands.untrusted_notebooks(course_dir, ASSIGNMENT) == []


def test_a_tls_cluster_admits_only_the_courses_workers_and_grades_exactly_like_sequential_nbgrader(
        released, sequential, tmp_path):
    """Issue 34: a student's `dask worker` joined the course's scheduler (no authentication) and received other
    students' tasks. Now the cluster is `dask scheduler` and `dask worker` processes with the certificates of
    `dlkit cluster init`: a worker with another course's certificate, with none, or over plain tcp never joins,
    and the class grades on the course's two workers exactly as sequential nbgrader does."""
    from distributed import Client

    course_dir = copy_course(released, tmp_path / "course")
    students = ["starter", "softmax_without_max_subtraction"]
    stage(course_dir, {s: CLASS[s] for s in students})
    other_course = tmp_path / "another-course"
    security.init(other_course)
    with tls_cluster(course_dir, workers=2, logs=tmp_path / "logs") as cluster:
        rogues = {"other": cluster.worker("other", tls_options(security.folder_of(other_course), "worker")),
                  "none": cluster.worker("none"),
                  "tcp": cluster.worker("tcp", address=cluster.address.replace("tls://", "tcp://"))}
        for name, rogue in rogues.items():
            assert rogue.wait(timeout=120) != 0, f"the {name} worker should have given up: {cluster.log(name)}"
        assert "certificate verify failed" in cluster.log("other")
        assert "TLS" in cluster.log("none")
        assert cluster.workers_seen(course_dir) == 2
        summary = coordinator.grade_class(course_dir, ASSIGNMENT, scheduler=cluster.address, progress=False)
        with Client(cluster.address, security=security.client_security(course_dir)) as client:
            dask_workers = set(client.run(os.getpid).values())
        # A result names the host that graded it; the host's parent is the process that ran the task.
        parents = {parent(int(r.worker.rsplit(":", 1)[1])) for r in summary.results}
    assert [r.status for r in summary.results] == [tasks.GRADED] * 2
    assert parents <= dask_workers, "the tasks did not run on the cluster's workers"
    plain = gradebook_state(sequential)
    assert gradebook_state(course_dir) == {s: plain[s] for s in students}


def test_an_unreadable_notebook_costs_only_the_notebook_and_the_grades_say_so(released, sequential, tmp_path,
                                                                              capsys):
    """A cut-off upload of the notebook: the .py files are graded as usual, with the released notebook."""
    course_dir = copy_course(released, tmp_path / "course")
    student = "gradient_not_averaged"
    stage(course_dir, {student: CLASS[student]})
    (course_dir / "submitted" / student / ASSIGNMENT / "softmax.ipynb").write_text('{"cells": [')
    # Handed in a day and an hour after the due date: the grades say so.
    (course_dir / "submitted" / student / ASSIGNMENT / "timestamp.txt").write_text("2026-03-02 10:00:00.000000 UTC")
    with Gradebook(config.db_url_of(course_dir), config.COURSE_ID) as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate=build.parse_due("2026-03-01 09:00 UTC"))
    summary = coordinator.grade_class(course_dir, ASSIGNMENT, jobs=1, progress=False)
    assert [r.status for r in summary.results] == [tasks.GRADED]
    graded, plain = gradebook_state(course_dir)[student], gradebook_state(sequential)[student]
    assert graded["grades"] == plain["grades"] and graded["outcomes"] == plain["outcomes"]
    assert sum(score for score, _, _ in graded["grades"].values()) > 0
    warning = ("softmax.ipynb is not a readable notebook (NotJSONError: Notebook does not appear to be JSON: "
               "'{\"cells\": ['): the released softmax.ipynb was graded in its place, so its scores come from the "
               ".py files alone")
    assert summary.results[0].warnings == [warning]
    assert cli.main(["grades", ASSIGNMENT, "--course-dir", str(course_dir), "--csv", str(tmp_path / "g.csv")]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert f"  {student}: {warning}" in printed
    assert printed[0].split()[-1] == "late" and printed[2].split()[-4:] == ["1", "d", "1", "h"], printed[:3]
    exported = next(csv.DictReader((tmp_path / "g.csv").open()))
    assert exported["warnings"] == warning
    assert (exported["timestamp"], exported["seconds_late"]) == ("2026-03-02 10:00:00 UTC", str(25 * 3600.0))
    assert cli.main(["report", ASSIGNMENT, "--course-dir", str(course_dir), "--output", str(tmp_path / "r.html")]) == 0
    assert "is not a readable notebook" in (tmp_path / "r.html").read_text()
    # And its grade goes to Canvas, whose export names the student by login.
    (tmp_path / "export.csv").write_text(f"Student,ID,SIS User ID,SIS Login ID,Section\nA. Student,7,s7,{student},\n")
    assert cli.main(["grades", ASSIGNMENT, "--course-dir", str(course_dir), "--canvas", str(tmp_path / "c.csv"),
                     "--roster", str(tmp_path / "export.csv")]) == 0
    score = sum(score for score, _, _ in graded["grades"].values())
    assert (tmp_path / "c.csv").read_text().splitlines()[1:] == [
        "    Points Possible,,,,,39", f"A. Student,7,s7,{student},,{score:g}"]


def test_linked_and_special_files_are_rejected_and_cost_no_one_else_anything(released, sequential, tmp_path, capsys):
    """Symlinks to the reference, to another student's folder and to /etc/passwd, through both entry points
    (``--submissions`` and nbgrader's ``submitted/``): each such submission is recorded as rejected with the
    file named, nothing it points to is read, and the honest student's grade is the one graded alone."""
    course_dir = copy_course(released, tmp_path / "course")
    incoming = tmp_path / "incoming"
    honest = incoming / "honest"
    honest.mkdir(parents=True)
    shutil.copy(CLASS["gradient_not_averaged"], honest / "softmax_classifier.py")
    (incoming / "copies_the_reference").mkdir()
    (incoming / "copies_the_reference" / "softmax_classifier.py").symlink_to(
        REPO / "solutions/softmax_mlp/softmax_classifier.py")
    (incoming / "borrows_a_folder").symlink_to(honest)
    (incoming / "reads_passwd").mkdir()
    (incoming / "reads_passwd" / "softmax_classifier.py").symlink_to("/etc/passwd")
    # A link placed straight into nbgrader's submitted/ folder (as a collect from the exchange could leave it).
    planted = submissions.stage(course_dir, ASSIGNMENT, "plants_a_link", {"softmax_classifier.py": STARTER})
    (planted / "notes.txt").symlink_to("/etc/passwd")

    assert cli.main(["autograde", ASSIGNMENT, "--course-dir", str(course_dir), "--submissions", str(incoming),
                     "--jobs", "2"]) == 0
    printed = capsys.readouterr().out
    assert "1 graded" in printed and "4 rejected" in printed, printed
    _, rows = grade_table.collect(course_dir, ASSIGNMENT)
    by_student = {row.student: row for row in rows}
    assert by_student["honest"].status == tasks.GRADED
    solo = next(row for row in grade_table.collect(sequential, ASSIGNMENT)[1] if row.student == "gradient_not_averaged")
    assert by_student["honest"].score == solo.score > 0
    for student, words in [("copies_the_reference", "softmax_classifier.py is a symbolic link"),
                           ("borrows_a_folder", "is a symbolic link"),
                           ("reads_passwd", "softmax_classifier.py is a symbolic link (to /etc/passwd)"),
                           ("plants_a_link", "notes.txt is a symbolic link (to /etc/passwd)")]:
        row = by_student[student]
        assert row.status == tasks.REJECTED and row.score == 0 and words in row.error, (student, row.error)
        # formgrader can open it to grade by hand: the released notebooks, none of the student's unsafe files.
        opened = course_dir / "autograded" / student / ASSIGNMENT
        assert sorted(p.name for p in opened.iterdir()) == ["mlp.ipynb", "softmax.ipynb"]
    assert "rejected" in cli_output(["grades", ASSIGNMENT, "--course-dir", str(course_dir)], capsys)
    assert cli.main(["feedback", ASSIGNMENT, "--course-dir", str(course_dir)]) == 0
    leaked = [path for path in (course_dir / "feedback").rglob("*") if path.is_file()
              and (b"root:x:0:0" in path.read_bytes() or path.is_symlink())]
    assert leaked == []


def test_without_bubblewrap_grading_refuses_unless_the_instructor_allows_it(released, sequential, tmp_path, capsys,
                                                                          monkeypatch):
    """Where bubblewrap is missing, `dlkit autograde` grades nothing and says how to go on; with
    --unsafe-no-sandbox it grades (the same score as in the sandbox) and the grade table marks the submission."""
    course_dir = copy_course(released, tmp_path / "course")
    stage(course_dir, {"honest": CLASS["gradient_not_averaged"]})
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))  # this environment's scripts, no bwrap
    arguments = ["autograde", ASSIGNMENT, "--course-dir", str(course_dir), "--jobs", "1"]
    assert cli.main(arguments) == 1
    error = capsys.readouterr().err
    assert "bubblewrap (bwrap) is not installed" in error and "--unsafe-no-sandbox" in error, error
    assert Ledger(course_dir, ASSIGNMENT).entries() == [] and not (course_dir / "autograded").exists()

    with pytest.warns(confine.SandboxUnavailable, match="resource limits only"):
        assert cli.main(arguments + ["--unsafe-no-sandbox"]) == 0
    capsys.readouterr()
    _, [row] = grade_table.collect(course_dir, ASSIGNMENT)
    solo = next(row for row in grade_table.collect(sequential, ASSIGNMENT)[1] if row.student == "gradient_not_averaged")
    assert row.status == tasks.GRADED and not row.sandboxed and row.score == solo.score > 0
    table = cli_output(["grades", ASSIGNMENT, "--course-dir", str(course_dir)], capsys)
    assert table.startswith("WARNING: graded WITHOUT a sandbox (--unsafe-no-sandbox, bubblewrap missing): honest.")
    assert "WARNING" not in grade_table.table(*grade_table.collect(sequential, ASSIGNMENT))
