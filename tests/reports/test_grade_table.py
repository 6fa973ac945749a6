"""`dlkit grades`' text, from rows made up here: subtotals per notebook, the cells not attempted on one
line, each real mistake with its hint in full, and nothing wider than a terminal."""
from __future__ import annotations

from autograde.batch import tasks
from autograde.reports import grade_table
from autograde.reports.grade_table import Row
from autograde.student.checks import NOT_IMPLEMENTED

HINT = ("dW lacks the decay term weight_decay * W: the loss adds (weight_decay / 2) * sum(W**2), whose gradient "
        "with respect to W is weight_decay * W, so dW must include it for every entry")


def outcome(check: str, message: str | None = None, hint: str | None = None) -> dict:
    return {"id": check, "group": check.split(".")[0], "description": f"It checks {check}.", "points": 1.0,
            "hidden": False, "fraction": 0.0 if message else 1.0, "message": message or "It works.", "hint": hint}


def row(student, outcomes, softmax=(0.0, 13.0), mlp=(0.0, 26.0), status=tasks.GRADED):
    return Row(student, softmax[0] + mlp[0], 39.0, outcomes=outcomes, status=status,
               notebooks={"softmax": softmax, "mlp": mlp})


ROWS = [
    row("ann", [outcome("softmax_loss.a"), outcome("fc_layer.b")], (13.0, 13.0), (26.0, 26.0)),
    # Did the softmax part only, with one mistake: the 8 mlp cells say "not implemented yet".
    row("bob", [outcome("softmax_loss.a"), outcome("softmax_gradient.decay", "dW is wrong at dW[4, 0]", HINT)]
        + [outcome(f"{cell}.forward", NOT_IMPLEMENTED) for cell in ("fc_layer", "relu_layer", "sgd")]
        + [outcome(f"{cell}.backward", NOT_IMPLEMENTED) for cell in ("fc_layer", "relu_layer", "sgd")], (11.0, 13.0)),
    row("cyd", [outcome("softmax_loss.a", NOT_IMPLEMENTED), outcome("fc_layer.b", NOT_IMPLEMENTED)]),
]


def test_subtotals_per_notebook_not_attempted_apart_from_mistakes_and_hints_in_full():
    text = grade_table.table(["softmax_loss", "fc_layer"], ROWS)
    lines = text.splitlines()
    assert lines[0].split() == ["student", "total", "softmax", "mlp"]
    assert lines[2].split() == ["ann", "39/39", "13/13", "26/26"] and lines[3].split() == ["bob", "11/39", "11/13", "0/26"]
    assert max(len(line) for line in lines) <= grade_table.WIDTH
    bob = text.split("  bob:\n")[1].split("\n  cyd")[0]
    assert bob.splitlines()[0] == "    not attempted: fc_layer, relu_layer, sgd"
    assert "softmax_gradient.decay: dW is wrong at dW[4, 0]" in bob
    assert " ".join(bob.split("hint:")[1].split()) == HINT, "the hint is shown whole, wrapped"
    assert text.count(NOT_IMPLEMENTED) == 0, "no line per unattempted check"
    assert "  cyd: nothing attempted yet" in text and "  ann: none, all 2 checks passed" in text


def test_a_submission_that_was_not_graded_has_no_score_in_the_table():
    text = grade_table.table([], [row("dan", [], status=tasks.CRASHED)])
    assert text.splitlines()[2].split() == ["dan", "-/39", "-", "-"]
    assert "  dan: not graded (crashed), see below" in text


def test_a_late_column_appears_when_a_submission_is_late():
    assert "late" not in grade_table.table([], ROWS).splitlines()[0]
    late = [row("eve", [outcome("softmax_loss.a")], (13.0, 13.0), (26.0, 26.0))]
    late[0].seconds_late = 3 * 3600 + 5 * 60 + 7
    lines = grade_table.table([], ROWS + late).splitlines()
    assert lines[0].split() == ["student", "total", "softmax", "mlp", "late"]
    assert lines[5].split() == ["eve", "39/39", "13/13", "26/26", "3", "h", "5", "min"]
    assert [grade_table.lateness(s) for s in (0, 40, 720, 90000)] == ["", "40 s", "12 min", "1 d 1 h"]


#: A student id and an exception message written to steer the instructor's terminal and spreadsheet.
ESCAPES = "\x1b[2J\x1b[H\x1b[32mALL 35 CHECKS PASSED\x1b[0m\r\u202e"


def test_what_dlkit_grades_prints_and_writes_cannot_steer_the_terminal_or_run_in_a_spreadsheet(
        tmp_path, monkeypatch, capsys):
    from autograde import cli

    rows = [row("=HYPERLINK(\"http://x\",\"y\")", [outcome("softmax_loss.a", f"your code raised ValueError: {ESCAPES}")]),
            row(f"mallory{ESCAPES}", [outcome("softmax_loss.a")], status=tasks.CRASHED),
            row("@SUM(1+1)", [outcome("softmax_loss.a")]), row("+1+2", [outcome("softmax_loss.a")])]
    rows[1].error = f"Traceback: {ESCAPES}"
    monkeypatch.setattr(grade_table, "collect", lambda *arguments: (["softmax_loss"], rows))
    assert cli.main(["grades", "softmax_mlp", "--course-dir", str(tmp_path), "--csv", str(tmp_path / "g.csv")]) == 0
    printed = capsys.readouterr().out
    assert not any(character in printed for character in "\x1b\r\u202e"), repr(printed)
    assert "mallory\\x1b[2J\\x1b[H\\x1b[32mALL 35 CHECKS PASSED\\x1b[0m\\x0d\\u202e" in printed
    import csv
    import io
    exported = list(csv.DictReader(io.StringIO((tmp_path / "g.csv").read_text())))
    assert [r["student"] for r in exported] == ["'=HYPERLINK(\"http://x\",\"y\")", "mallory\\x1b[2J\\x1b[H\\x1b[32mALL 35 "
                                                "CHECKS PASSED\\x1b[0m\\x0d\\u202e", "'@SUM(1+1)", "'+1+2"]
    assert exported[1]["reason"].startswith("Traceback: \\x1b[2J")
    assert exported[0]["score"] == "0.0" and exported[0]["seconds_late"] == "0.0", "numbers stay numbers"


def test_a_checks_state_is_one_word_decided_in_one_place():
    """Issue 33: the grade table, the report and the notebook's lines read a check's state (passed, failed, not
    attempted, not run) from outcome.state_of, never by comparing its message or its fraction themselves."""
    from autograde.student.checks import NOT_IMPLEMENTED
    from autograde.student.outcome import CheckState, state_of

    def recorded(fraction=0.0, message="wrong", did_not_import=()):
        return {"fraction": fraction, "message": message, "did_not_import": list(did_not_import)}

    assert state_of(recorded(1.0, "")) is CheckState.PASSED
    assert state_of(recorded(0.5)) is CheckState.FAILED
    assert state_of(recorded(0.0, NOT_IMPLEMENTED)) is CheckState.NOT_ATTEMPTED
    assert state_of(recorded(0.0, "x did not import", ["x.py"])) is CheckState.NOT_RUN
