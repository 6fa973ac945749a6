"""A class's grading goes on and resumes: crashes and time-outs recorded without stopping the batch, manual
grades kept through a forced regrade, a killed or interrupted run that resumes with only what is missing, one
run per course at a time, and bad worker options refused.
"""
from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import threading
import time

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograde import cli
from autograde.batch import coordinator, security, tasks
from autograde.batch.ledger import Ledger
from autograde.course import config
from autograde.kit import REPO
from autograde.limits import Limits
from autograde.reports import grade_table
from autograde.sandbox import procfs
from autograde.student import registry
from support.softmax_class import ASSIGNMENT, CLASS, STARTER, copy_course, gradebook_state, running, stage, working_in


#: Starts a process of its own (which outlives the kernel unless someone kills it), then hangs.
HANGS = ("import subprocess, time\nsubprocess.Popen(['sleep', '3600'], start_new_session=True)\n"
         "time.sleep(3600)  # the notebook's first cell never finishes\n")


def test_a_crash_and_a_time_out_are_recorded_and_the_batch_goes_on(released, tmp_path, monkeypatch, capsys):
    course_dir = copy_course(released, tmp_path / "course")
    (tmp_path / "hangs.py").write_text(HANGS)
    stage(course_dir, {"corrupt": STARTER, "hangs": tmp_path / "hangs.py", "starter": STARTER})
    broken = course_dir / "submitted/corrupt" / ASSIGNMENT / "softmax.ipynb"
    notebook = nbformat.read(broken, as_version=4)
    for cell in notebook.cells:  # nbgrader refuses a grade cell without its id: it cannot tell what to score
        cell.metadata.get("nbgrader", {}).pop("grade_id", None)
    nbformat.write(notebook, broken)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))  # where the hosts put their scratch courses
    processes_before = set(procfs.descendants(os.getpid()))  # e.g. multiprocessing's resource tracker

    summary = coordinator.grade_class(course_dir, ASSIGNMENT, jobs=2, limits=Limits(submission_seconds=30),
                                      progress=False)

    results = {r.student_id: r for r in summary.results}
    assert {s: r.status for s, r in results.items()} == {
        "corrupt": tasks.CRASHED, "hangs": tasks.TIMED_OUT, "starter": tasks.GRADED}
    assert "softmax.ipynb" in results["corrupt"].error
    assert "longer than 30 s" in results["hangs"].error
    assert 30 <= results["hangs"].seconds < 45
    assert working_in(scratch) == [], "a stopped grading left processes behind (its kernel, its sandbox)"
    assert list(scratch.iterdir()) == [], "a stopped grading left files behind"
    assert set(procfs.descendants(os.getpid())) <= processes_before, "a stopped grading left processes behind"
    state = gradebook_state(course_dir)
    for student in ("corrupt", "hangs"):
        assert {grade for grade in state[student]["grades"].values()} == {(None, None, True)}
        # What formgrader opens to grade it by hand: the released notebooks, saying why, and the student's files.
        assert state[student]["files"] == sorted(["mlp.ipynb", "softmax.ipynb",
                                                  *registry.get(ASSIGNMENT).student_files])
        opened = nbformat.read(course_dir / "autograded" / student / ASSIGNMENT / "softmax.ipynb", as_version=4)
        assert opened.cells[0].source.startswith("**This submission could not be autograded**")
        assert {c.metadata.nbgrader["grade_id"] for c in opened.cells if c.metadata.get("nbgrader", {}).get("grade")}
    assert "timed out" in nbformat.read(course_dir / "autograded/hangs" / ASSIGNMENT / "mlp.ipynb", 4).cells[0].source
    assert all(score == 0 for score, _, _ in state["starter"]["grades"].values())

    assert cli.main(["grades", ASSIGNMENT, "--course-dir", str(course_dir), "--csv", str(tmp_path / "g.csv")]) == 0
    printed = capsys.readouterr().out
    assert "Submissions that could not be graded" in printed
    exported = {row["student"]: row for row in csv.DictReader((tmp_path / "g.csv").open())}
    assert [exported[s]["score"] for s in ("corrupt", "hangs", "starter")] == ["", "", "0.0"], "no score is not 0"
    assert "  hangs: timed out: grading took longer than 30 s" in printed
    assert "  corrupt: crashed:" in printed
    assert cli.main(["report", ASSIGNMENT, "--course-dir", str(course_dir), "--output", str(tmp_path / "r.html")]) == 0
    failures = (tmp_path / "r.html").read_text().split("Submissions that failed to run")[1].split("</section>")[0]
    assert "hangs" in failures and "corrupt" in failures and "starter" not in failures


def test_manual_grades_survive_a_forced_regrade_unless_the_files_changed(released, tmp_path, capsys):
    """What an instructor gave in formgrader stays through `dlkit autograde --force` (the checks changed, say);
    new files make it void, and the regrade says which entries it cleared."""
    course_dir = copy_course(released, tmp_path / "course")
    student = "gradient_not_averaged"
    stage(course_dir, {student: CLASS[student]})
    autograde = ["autograde", ASSIGNMENT, "--course-dir", str(course_dir), "--jobs", "1"]
    assert cli.main(autograde) == 0

    def manual() -> dict:
        with Gradebook(config.db_url_of(course_dir), config.COURSE_ID) as gradebook:
            return {(n.name, g.name): (g.manual_score, g.extra_credit)
                    for n in gradebook.find_submission(ASSIGNMENT, student).notebooks for g in n.grades
                    if g.manual_score is not None or g.extra_credit is not None}

    with Gradebook(config.db_url_of(course_dir), config.COURSE_ID) as gradebook:
        grade = gradebook.find_grade("softmax_gradient", "softmax", ASSIGNMENT, student)
        grade.manual_score, grade.extra_credit = 2.5, 0.5
        gradebook.db.commit()
    capsys.readouterr()
    assert cli.main([*autograde, "--force"]) == 0
    assert manual() == {("softmax", "softmax_gradient"): (2.5, 0.5)}
    assert "manual entries were cleared" not in capsys.readouterr().out

    changed = course_dir / "submitted" / student / ASSIGNMENT / "softmax_classifier.py"
    changed.write_text(changed.read_text() + "\n# resubmitted after the manual grading\n")
    assert cli.main(autograde) == 0
    assert manual() == {}
    assert (f"  {student}: the files changed since the manual grading, so these manual entries were cleared: "
            "softmax/softmax_gradient: manual score 2.5; softmax/softmax_gradient: extra credit 0.5"
            in capsys.readouterr().out.splitlines())


def test_a_killed_run_resumes_with_only_what_is_missing(released, tmp_path):
    course_dir = copy_course(released, tmp_path / "course")
    students = [f"student_{i}" for i in range(1, 5)]
    stage(course_dir, dict.fromkeys(students, STARTER))
    ledger = Ledger(course_dir, ASSIGNMENT)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    run = subprocess.Popen([sys.executable, "-m", "autograde", "autograde", ASSIGNMENT, "--course-dir",
                            str(course_dir), "--jobs", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env={**os.environ, "TMPDIR": str(temporary)})
    deadline = time.monotonic() + 300
    while not ledger.entries() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    below = procfs.descendants(run.pid)
    run.send_signal(signal.SIGKILL)
    run.wait()
    before = [entry["student"] for entry in ledger.entries()]
    assert 1 <= len(before) < len(students), "the run should have been killed midway"
    assert below, "the killed run had a grading process"
    deadline = time.monotonic() + 30
    while any(running(pid) for pid in below) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in below if running(pid)], "the killed run left grading processes behind"
    assert not list(temporary.iterdir()), "the killed run left its scratch folders behind"

    summary = coordinator.grade_class(course_dir, ASSIGNMENT, jobs=2, progress=False)
    assert summary.skipped == len(before)
    assert sorted(r.student_id for r in summary.results) == sorted(set(students) - set(before))
    assert sorted(entry["student"] for entry in ledger.entries()) == students  # each graded once
    _, rows = grade_table.collect(course_dir, ASSIGNMENT)
    assert [(r.student, r.status, r.score, r.checks) for r in rows] == [(s, tasks.GRADED, 0, 11) for s in students]

    changed = course_dir / "submitted/student_2" / ASSIGNMENT / "softmax_classifier.py"
    changed.write_text(changed.read_text() + "\n# resubmitted\n")
    summary = coordinator.grade_class(course_dir, ASSIGNMENT, jobs=2, progress=False)
    assert [r.student_id for r in summary.results] == ["student_2"] and summary.skipped == 3


def test_ctrl_c_says_what_was_recorded_and_how_to_resume_without_a_traceback(released, tmp_path):
    """Ctrl-C at a terminal signals the whole foreground process group, as killpg does here."""
    course_dir = copy_course(released, tmp_path / "course")
    # Five, so that "midway" is a wide window on a busy machine: once it went past three before the signal.
    students = [f"student_{i}" for i in range(1, 6)]
    stage(course_dir, dict.fromkeys(students, STARTER))
    ledger = Ledger(course_dir, ASSIGNMENT)
    run = subprocess.Popen([sys.executable, "-m", "autograde", "autograde", ASSIGNMENT, "--course-dir",
                            str(course_dir), "--jobs", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, start_new_session=True)
    deadline = time.monotonic() + 300
    while not ledger.entries() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    below = procfs.descendants(run.pid)
    os.killpg(run.pid, signal.SIGINT)
    out, err = run.communicate(timeout=120)
    recorded = [entry["student"] for entry in ledger.entries()]
    assert 1 <= len(recorded) < len(students), "the run should have been interrupted midway"
    assert run.returncode == 130
    assert "Traceback" not in out + err and "KeyboardInterrupt" not in out + err, err
    assert (f"interrupted: {len(recorded)} of 5 submissions graded and recorded; run the same command to grade "
            f"the other {5 - len(recorded)} (what is recorded is kept)") in err.splitlines()
    deadline = time.monotonic() + 30
    while any(running(pid) for pid in below) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in below if running(pid)], "the interrupted run left grading processes behind"
    summary = coordinator.grade_class(course_dir, ASSIGNMENT, jobs=1, progress=False)
    assert summary.skipped == len(recorded)
    assert sorted(r.student_id for r in summary.results) == sorted(set(students) - set(recorded))


HOLD = """
import sys
from pathlib import Path
from autograde.batch.ledger import course_lock
with course_lock(Path(sys.argv[1]), doing="grading softmax_mlp"):
    print("held", flush=True)
    sys.stdin.readline()  # until the test lets go
"""


def test_one_run_grades_a_course_at_a_time_the_next_names_it_or_waits(released, tmp_path, capsys):
    course_dir = copy_course(released, tmp_path / "course")
    stage(course_dir, {"student_1": STARTER})
    ledger = Ledger(course_dir, ASSIGNMENT)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(course_dir)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert holder.stdout.readline().strip() == "held"
        arguments = ["autograde", ASSIGNMENT, "--course-dir", str(course_dir), "--jobs", "1"]
        assert cli.main(arguments) == 1
        error = capsys.readouterr().err
        assert (f"error: another dlkit run is already grading softmax_mlp (pid {holder.pid} on " in error
                and f"in {course_dir}: wait for it to end, or pass --wait to start when it does" in error), error
        assert not ledger.entries(), "the refused run graded something"

        let_go = threading.Timer(1.0, lambda: (holder.stdin.write("go\n"), holder.stdin.flush()))
        let_go.start()
        assert cli.main([*arguments, "--wait"]) == 0
        assert f"waiting: another dlkit run is grading softmax_mlp (pid {holder.pid} on " in capsys.readouterr().err
        assert holder.wait(timeout=30) == 0
    finally:
        holder.kill()
    assert [entry["student"] for entry in ledger.entries()] == ["student_1"]
    # a run that died holding the lock leaves nothing to clean up: the next one grades
    killed = subprocess.Popen([sys.executable, "-c", HOLD, str(course_dir)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=REPO)
    assert killed.stdout.readline().strip() == "held"
    killed.kill()
    killed.wait()
    assert cli.main([*arguments, "--force"]) == 0


def test_bad_worker_options_are_refused_with_a_clear_message(released, tmp_path, capsys, monkeypatch):
    with pytest.raises(SystemExit):
        cli.main(["autograde", ASSIGNMENT, "--jobs", "0"])
    assert "--jobs: must be at least 1, got 0" in capsys.readouterr().err
    course_dir = copy_course(released, tmp_path / "course")
    assert cli.main(["autograde", ASSIGNMENT, "--course-dir", str(course_dir)]) == 1
    assert f"no submissions of {ASSIGNMENT} in" in capsys.readouterr().err
    stage(course_dir, {"starter": STARTER})
    security.init(course_dir)  # the course's cluster certificates
    address = "tls://127.0.0.1:9"  # the discard port: nothing listens there
    monkeypatch.setattr(coordinator, "CONNECT_SECONDS", 2.0)
    assert cli.main(["autograde", ASSIGNMENT, "--course-dir", str(course_dir), "--scheduler", address]) == 1
    assert f"cannot reach the Dask scheduler at '{address}'" in capsys.readouterr().err
