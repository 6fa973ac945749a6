"""A user's mistake at the command line is one line on stderr that says what to do, and exit code 1:
never a traceback, never a silent success (issue 19)."""
from __future__ import annotations

import pytest

from autograde import cli
from autograde.errors import UsageError


@pytest.fixture(scope="module")
def course(tmp_path_factory, release_copy):
    """A course with softmax_mlp released and nothing graded; logistic_regression is not released."""
    return release_copy("softmax_mlp", tmp_path_factory.mktemp("released") / "course")


def one_line_error(arguments, capsys) -> str:
    assert cli.main(arguments) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
    assert "Traceback" not in captured.out + captured.err
    return lines[0]


@pytest.mark.heavy
def test_submissions_that_are_a_file_a_missing_folder_or_an_empty_one_are_refused(course, tmp_path, capsys):
    a_file = tmp_path / "submissions.zip"
    a_file.write_bytes(b"PK")
    (tmp_path / "empty").mkdir()
    autograde = ["autograde", "softmax_mlp", "--course-dir", str(course), "--submissions"]
    assert "is a file, not a folder" in one_line_error(autograde + [str(a_file)], capsys)
    assert "does not exist" in one_line_error(autograde + [str(tmp_path / "nowhere")], capsys)
    message = one_line_error(autograde + [str(tmp_path / "empty")], capsys)
    assert "holds no student folders" in message and "<student>/softmax_classifier.py" in message
    assert not (course / "submitted").exists(), "nothing was staged"


@pytest.mark.heavy
def test_an_assignment_not_released_says_to_release_it(course, tmp_path, capsys):
    (tmp_path / "alice").mkdir()
    message = one_line_error(["autograde", "logistic_regression", "--course-dir", str(course), "--submissions",
                              str(tmp_path)], capsys)
    assert f"run `dlkit release logistic_regression --course-dir {course}` first" in message


@pytest.mark.heavy
@pytest.mark.parametrize("command", ["grades", "report"])
def test_grades_and_report_before_any_grading_say_to_autograde_first(course, capsys, command):
    message = one_line_error([command, "softmax_mlp", "--course-dir", str(course)], capsys)
    assert f"no submission of softmax_mlp is graded yet in {course}: run `dlkit autograde softmax_mlp" in message
    assert not (course / "reports").exists()


@pytest.mark.parametrize("due, words", [("tomorrow", "--due 'tomorrow' is not a date and time"),
                                        ("2026-12-01 17:00 Mars/Base", "'Mars/Base' is not a time zone")])
def test_a_due_date_that_is_no_date_is_refused_before_anything_is_built(tmp_path, capsys, due, words):
    message = one_line_error(["release", "softmax_mlp", "--course-dir", str(tmp_path / "c"), "--due", due], capsys)
    assert words in message and "such as" in message
    assert not (tmp_path / "c").exists()


def test_canvas_export_without_a_roster_says_where_to_get_one(tmp_path, capsys):
    """Refused before the course is read: no release, no grading needed to see it (the one-minute tier)."""
    grades = ["grades", "softmax_mlp", "--course-dir", str(tmp_path / "course"), "--canvas", str(tmp_path / "c.csv")]
    assert "--canvas needs --roster" in one_line_error(grades, capsys)
    assert "is not a file: export the gradebook from Canvas" in one_line_error(
        grades + ["--roster", str(tmp_path / "missing.csv")], capsys)
    assert not (tmp_path / "c.csv").exists() and not (tmp_path / "course").exists()


def test_times_without_submissions_is_refused_before_the_course_is_read(tmp_path, capsys):
    (tmp_path / "times.csv").write_text("SIS Login ID,submitted_at\n")
    autograde = ["autograde", "softmax_mlp", "--course-dir", str(tmp_path / "course"), "--times",
                 str(tmp_path / "times.csv")]
    error = one_line_error(autograde, capsys)
    assert "--times gives the times of --submissions FOLDER: add --submissions, or drop --times" in error, error
    assert not (tmp_path / "course").exists()


def test_a_scheduler_without_dask_installed_says_which_extra_to_install(monkeypatch, tmp_path):
    import sys

    from autograde.batch import coordinator

    monkeypatch.setitem(sys.modules, "distributed", None)  # as where the dask extra is not installed
    for address in ("tls://127.0.0.1:8786", "tcp://127.0.0.1:8786"):
        with pytest.raises(UsageError, match=r"--scheduler needs Dask, which is not installed here: pip install -e "
                                             r"\"\.\[dask\]\""):
            coordinator.Cluster.of(tmp_path, address, insecure=True)


def test_an_unknown_assignment_is_one_line_and_any_other_fault_of_the_kit_keeps_its_traceback(capsys, monkeypatch):
    """Issue 33: dlkit turned every KeyError into `error: 'x'`, a fault of the kit included (a bare key in
    quotes, no traceback to find it by). An unknown assignment is the user's error, one line without quotes."""
    from autograde.student import registry

    with pytest.raises(registry.UnknownAssignment, match="^unknown assignment 'nope'; known: deep_mlp, "):
        registry.get("nope")

    def unknown(args):
        registry.get("nope")

    monkeypatch.setattr(cli, "_grades", unknown)
    assert cli.main(["grades", "softmax_mlp", "--course-dir", "/nonexistent"]) == 1
    assert capsys.readouterr().err.startswith("error: unknown assignment 'nope'; known: deep_mlp, ")

    def forgot(args):
        return {}["a key the kit forgot"]

    monkeypatch.setattr(cli, "_grades", forgot)
    with pytest.raises(KeyError, match="a key the kit forgot"):
        cli.main(["grades", "softmax_mlp", "--course-dir", "/nonexistent"])


def test_a_bar_made_under_another_rule_stops_grading_before_any_student_is_graded(tmp_path, monkeypatch):
    """Before, each student's accuracy check failed with "your code raised UsageError", 0 points recorded."""
    import json

    from autograde.batch import coordinator
    from autograde.errors import UsageError
    from autograde.grading import calibration

    thresholds = json.loads(calibration.THRESHOLDS.read_text())
    del thresholds["logistic_regression.accuracy"]["rule"]  # as recorded before the check followed the best epoch
    (tmp_path / "thresholds.json").write_text(json.dumps(thresholds))
    monkeypatch.setattr(calibration, "THRESHOLDS", tmp_path / "thresholds.json")
    (tmp_path / "course").mkdir()
    with pytest.raises(UsageError, match=r"the bar of logistic_regression.accuracy in .* scored each seed by the test "
                                         r"accuracy after training, but the check now follows the best epoch: run "
                                         r"`dlkit calibrate logistic_regression`"):
        coordinator.grade_class(tmp_path / "course", "logistic_regression", progress=False)
    assert list((tmp_path / "course").iterdir()) == []
