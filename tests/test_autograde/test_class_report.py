"""The class's HTML grade report, from rows made up here (no grading needed)."""
from __future__ import annotations

import re

from autograde import cli
from autograde.batch import tasks
from autograde.reports import class_report
from autograde.reports.grade_table import Row


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


def test_the_report_is_one_self_contained_page_with_three_figures():
    page = class_report.render("softmax_mlp", ["loss"], {"loss": 3.0}, ROWS)
    assert page.count("<svg") == 3  # histogram, pass rates, grade cells
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
