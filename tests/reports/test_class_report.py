"""The class's HTML grade report, from rows made up here (no grading needed)."""
from __future__ import annotations

import re

from autograde import cli
from autograde.batch import tasks
from autograde.reports import class_report
from autograde.reports.grade_table import Row
from autograde.student.checks import NOT_IMPLEMENTED


def outcome(check: str, passed: bool, message: str = "wrong", hidden: bool = False) -> dict:
    group = check.split(".")[0]
    return {"id": check, "group": group, "description": f"It checks {check}.", "points": 1.0, "hidden": hidden,
            "fraction": 1.0 if passed else 0.0, "message": "It works." if passed else message, "hint": None}


def row(student: str, passes: dict[str, bool], status: str = tasks.GRADED, error: str = "") -> Row:
    score = float(sum(passes.values()))
    return Row(student, score, 3.0, cells={"loss": score}, outcomes=[outcome(c, p) for c, p in passes.items()],
               status=status, error=error, seconds=12.0)


ROWS = [
    row("ann", {"loss.easy": True, "loss.medium": True, "loss.hard": True}),
    row("bob", {"loss.easy": True, "loss.medium": True, "loss.hard": False}),
    row("cyd", {"loss.easy": True, "loss.medium": False, "loss.hard": False}),
    row("<b>eve</b>", {}, status=tasks.CRASHED, error="<script>alert('pwned')</script> NotJSONError: cut off"),
    row("hal", {}, status=tasks.TIMED_OUT, error="grading took longer than 600 s and was stopped"),
]


def test_checks_are_ranked_hardest_first_over_graded_submissions_only():
    rates = class_report.check_rates(ROWS)
    assert [(r.id, r.passed, r.ran) for r in rates] == [("loss.hard", 1, 3), ("loss.medium", 2, 3), ("loss.easy", 3, 3)]
    assert rates[0].common_failure == ("wrong", 2)


def attempted_row(student, passes, hint=None, softmax=(2.0, 3.0)):
    outcomes = [outcome(c, p) for c, p in passes.items()]
    for o in outcomes:
        if not o["fraction"]:
            o["hint"] = hint
    outcomes += [outcome("layer.forward", False, NOT_IMPLEMENTED), outcome("layer.backward", False, NOT_IMPLEMENTED)]
    return Row(student, softmax[0], 9.0, cells={"loss": softmax[0]}, outcomes=outcomes,
               notebooks={"softmax": softmax, "mlp": (0.0, 6.0)})


#: Three students did the softmax notebook only; two of them made the same real mistake.
PARTIAL = [attempted_row("ann", {"loss.easy": True, "loss.hard": False}, "divide by N"),
           attempted_row("bob", {"loss.easy": True, "loss.hard": False}, "divide by N"),
           attempted_row("cyd", {"loss.easy": True, "loss.hard": True}, softmax=(3.0, 3.0))]


def test_the_hardest_checks_are_the_class_s_real_mistakes_not_the_parts_nobody_attempted():
    rates = class_report.check_rates(PARTIAL)
    assert [(r.id, r.passed, r.attempted, r.not_attempted) for r in rates] == [
        ("loss.hard", 1, 3, 0), ("loss.easy", 3, 3, 0), ("layer.backward", 0, 0, 3), ("layer.forward", 0, 0, 3)]
    assert rates[0].common_failure == ("wrong", 2) and rates[0].hint == "divide by N"
    page = class_report.render("softmax_mlp", ["loss"], {"loss": 3.0}, PARTIAL)
    hardest = page.split("The hardest checks")[1].split("</table>")[0]
    assert "loss.hard" in hardest and "Hint: divide by N" in hardest and "layer." not in hardest
    assert NOT_IMPLEMENTED not in page


def test_each_student_shows_notebook_subtotals_mistakes_with_hints_and_links_to_feedback():
    links = {"ann": [("softmax", "../feedback/ann/softmax_mlp/softmax.html")]}
    page = class_report.render("softmax_mlp", ["loss"], {"loss": 3.0}, PARTIAL, links)
    students = page.split("<h2>Every submission</h2>")[1]
    ann = students.split("<tr><td>ann")[1].split("</tr>")[0]
    assert "softmax 2 / 3" in ann and "mlp 0 / 6" in ann
    assert "not attempted: layer" in ann and "<code>loss.hard</code> wrong" in ann and "Hint: divide by N" in ann
    assert "<a href='../feedback/ann/softmax_mlp/softmax.html'>softmax</a>" in ann
    assert "feedback:" not in students.split("<tr><td>bob")[1].split("</tr>")[0]
    assert page.count("<svg") == 2


def test_the_report_is_one_self_contained_page_with_two_figures():
    page = class_report.render("softmax_mlp", ["loss"], {"loss": 3.0}, ROWS)
    assert page.count("<svg") == 2  # histogram, grade cells (the pass rates are a table, its labels in full)
    assert not re.search(r"<(script|link|img|iframe)\b|\bsrc=|@import", page), "the page loads something"
    assert "<div class=\"value\">3</div><div class=\"label\">graded</div>" in page
    hardest = page.index("The hardest checks")
    assert page.index("loss.hard", hardest) < page.index("loss.medium", hardest)


def test_submissions_that_failed_to_run_are_listed_with_the_reason_and_escaped():
    page = class_report.render("softmax_mlp", ["loss"], {"loss": 3.0}, ROWS)
    failures = page.split("Submissions that failed to run")[1].split("</section>")[0]
    assert "hal" in failures and "grading took longer than 600 s" in failures and "timed out" in failures
    assert "&lt;b&gt;eve&lt;/b&gt;" in failures and "&lt;script&gt;alert(" in failures
    assert "<script>" not in page and "<b>eve</b>" not in page
    assert "ann" not in failures


def test_a_folder_that_is_no_course_is_refused_with_a_clear_message(tmp_path, capsys):
    assert cli.main(["report", "softmax_mlp", "--course-dir", str(tmp_path)]) == 1
    assert "has no gradebook.db: is it the course directory" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # and it did not create an empty gradebook there
