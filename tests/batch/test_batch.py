"""Autograding a class in parallel: the same gradebook as sequential nbgrader, on local workers
and on a Dask cluster; crashes and time-outs recorded without stopping the batch; a killed
run that resumes with only what is missing.

Every class here is the softmax exercise alone (the `mlp` notebook is not submitted, so
nbgrader scores it 0), which keeps each submission to a few seconds of grading.
"""
from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from autograde import cli
from autograde.batch import coordinator, tasks
from autograde.batch.ledger import Ledger
from autograde.course import build, commands, config, submissions
from autograde.kit import REPO
from autograde.limits import Limits
from autograde.reports import grade_table
from autograde.sandbox import confine, procfs
from autograde.student import registry
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


@pytest.fixture(scope="module")
def released(tmp_path_factory, mnist):
    course_dir = tmp_path_factory.mktemp("released") / "course"
    build.release(course_dir, ASSIGNMENT)
    return course_dir


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


def test_a_dask_cluster_grades_exactly_like_sequential_nbgrader(released, sequential, tmp_path):
    from distributed import Client, LocalCluster

    course_dir = copy_course(released, tmp_path / "course")
    students = ["starter", "softmax_without_max_subtraction"]
    stage(course_dir, {s: CLASS[s] for s in students})
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        summary = coordinator.grade_class(course_dir, ASSIGNMENT, scheduler=cluster.scheduler_address, progress=False)
        with Client(cluster) as client:
            dask_workers = set(client.run(os.getpid).values())
        # A result names the host that graded it; the host's parent is the process that ran the task.
        parents = {_parent(int(r.worker.rsplit(":", 1)[1])) for r in summary.results}
    assert [r.status for r in summary.results] == [tasks.GRADED] * 2
    assert parents <= dask_workers, "the tasks did not run on the cluster's workers"
    plain = gradebook_state(sequential)
    assert gradebook_state(course_dir) == {s: plain[s] for s in students}


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
    assert _working_in(scratch) == [], "a stopped grading left processes behind (its kernel, its sandbox)"
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
    while any(_running(pid) for pid in below) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in below if _running(pid)], "the killed run left grading processes behind"
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
    students = [f"student_{i}" for i in range(1, 4)]
    stage(course_dir, dict.fromkeys(students, STARTER))
    ledger = Ledger(course_dir, ASSIGNMENT)
    run = subprocess.Popen([sys.executable, "-m", "autograde", "autograde", ASSIGNMENT, "--course-dir",
                            str(course_dir), "--jobs", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, start_new_session=True)
    deadline = time.monotonic() + 300
    while not ledger.entries() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    below = procfs.descendants(run.pid)
    os.killpg(run.pid, signal.SIGINT)
    out, err = run.communicate(timeout=120)
    recorded = [entry["student"] for entry in ledger.entries()]
    assert 1 <= len(recorded) < len(students), "the run should have been interrupted midway"
    assert run.returncode == 130
    assert "Traceback" not in out + err and "KeyboardInterrupt" not in out + err, err
    assert (f"interrupted: {len(recorded)} of 3 submissions graded and recorded; run the same command to grade "
            f"the other {3 - len(recorded)} (what is recorded is kept)") in err.splitlines()
    deadline = time.monotonic() + 30
    while any(_running(pid) for pid in below) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in below if _running(pid)], "the interrupted run left grading processes behind"
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


def _working_in(folder: Path) -> list[int]:
    """Every process of the machine whose working directory is inside ``folder``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and os.readlink(entry / "cwd").startswith(str(folder)):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[1])


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_bad_worker_options_are_refused_with_a_clear_message(released, tmp_path, capsys, monkeypatch):
    with pytest.raises(SystemExit):
        cli.main(["autograde", ASSIGNMENT, "--jobs", "0"])
    assert "--jobs: must be at least 1, got 0" in capsys.readouterr().err
    course_dir = copy_course(released, tmp_path / "course")
    assert cli.main(["autograde", ASSIGNMENT, "--course-dir", str(course_dir)]) == 1
    assert f"no submissions of {ASSIGNMENT} in" in capsys.readouterr().err
    stage(course_dir, {"starter": STARTER})
    address = "tcp://127.0.0.1:9"  # the discard port: nothing listens there
    monkeypatch.setattr(coordinator, "CONNECT_SECONDS", 2.0)
    assert cli.main(["autograde", ASSIGNMENT, "--course-dir", str(course_dir), "--scheduler", address]) == 1
    assert f"cannot reach the Dask scheduler at '{address}'" in capsys.readouterr().err


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


def cli_output(arguments: list[str], capsys) -> str:
    assert cli.main(arguments) == 0
    return capsys.readouterr().out


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
