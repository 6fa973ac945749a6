"""`make demo` end to end: the release of every assignment, the example submissions autograded
on the parallel path, the grade tables and the class reports it prints and writes."""
from __future__ import annotations

import contextlib
import io

import pytest

from autograde import cli
from autograde.reports import grade_table


@pytest.fixture(scope="module")
def demo(tmp_path_factory, cifar10_data_dir):
    """The course directory the demo built, and what it printed. Its data folder holds MNIST and
    CIFAR-10-format data that came through the download code from 127.0.0.1."""
    course_dir = tmp_path_factory.mktemp("demo") / "course"
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        patch.setenv("DLKIT_DATA", str(cifar10_data_dir))
        assert cli.main(["demo", "--course-dir", str(course_dir)]) == 0
    return course_dir, printed.getvalue()


def test_demo_grades_reference_full_starter_zero_and_mistakes_partially(demo):
    course_dir, printed = demo
    columns, rows = grade_table.collect(course_dir, "softmax_mlp")
    scores = {r.student: r.score for r in rows}
    total = rows[0].max_score
    assert total == 39
    assert scores["reference"] == total and scores["starter"] == 0
    # The reference as real students write their files: top-level imports of every package the release offers.
    for relative in ("softmax_classifier.py", "layers/fc_layer.py", "optimizer.py"):
        submitted = (course_dir / "submitted/reference/softmax_mlp" / relative).read_text()
        assert submitted.startswith("import os\nimport pickle\n\nimport ipywidgets\nimport matplotlib.pyplot as plt\n")
    # The example submissions are catalogued bugs (example = true in the assignment's catalogue/bugs.toml).
    assert scores["gradient_not_averaged"] == 33 and scores["softmax_without_max_subtraction"] == 37
    assert scores["patches_the_grader"] == 0
    failed = {r.student: {o["name"] for o in r.failed} for r in rows}
    assert "gradient_matches_numeric_gradient_without_regularization" in failed["gradient_not_averaged"]
    assert "stays_finite_and_shift_invariant_with_logits_near_1000" in failed["softmax_without_max_subtraction"]
    assert "stays_finite_and_shift_invariant_with_logits_near_1000" not in failed["gradient_not_averaged"]
    for expected in ("reference", "39/39", "Checks that caught each submission", "s per submission", "demo finished",
                     "in parallel", "graded"):
        assert expected in printed
    report = (course_dir / "reports/softmax_mlp.html").read_text()
    assert "patches_the_grader" in report and report.count("<svg") == 2  # histograms, grade cells
    assert "<a href='../feedback/reference/softmax_mlp/softmax.html'>softmax</a>" in report


#: The demo's other assignments: (assignment, total points, its example, the example's score, a check it fails).
DEMO_EXAMPLES = [
    ("logistic_regression", 14, "decay_missing_from_gradient", 12, "gradients_match_numeric_with_decay"),
    ("linear_mnist", 16, "best_kept_by_reference", 14, "returns_the_parameters_with_the_best_dev_accuracy"),
    ("deep_mlp", 18, "step_halved_every_epoch", 16, "step_halves_every_two_epochs"),
    ("linear_cifar10", 16, "regularization_gradient_halved", 14, "gradients_match_numeric_gradients_with_regularization"),
]


@pytest.mark.parametrize("assignment_id, total, example, score, caught", DEMO_EXAMPLES,
                         ids=[e[0] for e in DEMO_EXAMPLES])
def test_demo_grades_the_other_assignments(demo, assignment_id, total, example, score, caught):
    course_dir, printed = demo
    assert f"grade table of {assignment_id}" in printed
    _, rows = grade_table.collect(course_dir, assignment_id)
    scores = {r.student: r.score for r in rows}
    assert rows[0].max_score == total
    assert scores["reference"] == total and scores["starter"] == 0, scores
    assert scores[example] == score, scores
    assert all(r.status == "graded" for r in rows if r.student == "reference")
    failed = next({o["name"] for o in r.failed} for r in rows if r.student == example)
    assert caught in failed, failed
