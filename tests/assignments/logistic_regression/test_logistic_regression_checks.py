"""The logistic_regression checks: the reference passes, the starter and realistic bugs fail with
messages that say what, where and (for known mistakes) why."""
from __future__ import annotations

import pytest

from autograde.grading import runner
from autograde.student import checks
from autograde.student import modules
from autograde.student.outcome import render

from support import catalogued, single_file

ASSIGNMENT = "logistic_regression"
FAST = [c for c in checks.load(ASSIGNMENT) if c.group != "accuracy"]


def outcomes(tmp_path, source="solutions", old="", new=""):
    return single_file.outcomes(ASSIGNMENT, single_file.submission(tmp_path, ASSIGNMENT, source, old, new), FAST)


def test_points_per_grade_cell():
    groups = checks.groups(checks.load(ASSIGNMENT))
    assert {g: sum(c.points for c in cs) for g, cs in groups.items()} == {
        "loss": 5, "update": 2, "prediction": 2, "templates": 2, "accuracy": 3}


def test_reference_passes_every_check(tmp_path):
    results = outcomes(tmp_path)
    assert all(o.passed for o in results.values()), render(list(results.values()))


def test_starter_fails_every_check(tmp_path):
    results = outcomes(tmp_path, "starter")
    assert not any(o.passed for o in results.values()), render(list(results.values()))
    assert all("not implemented yet" in o.message for o in results.values()), render(list(results.values()))


@pytest.mark.parametrize("bug", catalogued.cases(ASSIGNMENT, FAST))
def test_catalogued_bug_is_caught_with_a_hint(tmp_path, bug):
    """Each mistake of logistic_regression's catalogue/bugs.toml fails its checks, with the catalogued hint."""
    catalogued.assert_caught(tmp_path, bug, FAST)


@pytest.mark.heavy
def test_sandbox_gives_the_same_results(tmp_path):
    folder = single_file.submission(tmp_path, ASSIGNMENT, old="images.T @ dscores + weight_decay * W", new="images.T @ dscores")
    local = {k: (o.passed, o.hint) for k, o in single_file.outcomes(ASSIGNMENT, folder, FAST).items()}
    graded = {o.name: (o.passed, o.hint)
              for o in runner.run(ASSIGNMENT, folder, groups={c.group for c in FAST}).outcomes}
    assert graded == local and not graded["gradients_match_numeric_with_decay"][0]


@pytest.mark.heavy
def test_accuracy_check_passes_the_reference_and_fails_the_starter(tmp_path, mnist):
    [accuracy] = [c for c in checks.load(ASSIGNMENT) if c.group == "accuracy"]
    passed = accuracy.run(modules.student_code(ASSIGNMENT, single_file.submission(tmp_path / "reference", ASSIGNMENT)))
    assert passed.passed and "the bar is" in passed.message, passed.message
    failed = accuracy.run(modules.student_code(ASSIGNMENT, single_file.submission(tmp_path / "starter", ASSIGNMENT, "starter")))
    assert not failed.passed and "not implemented" in failed.message


RETURNED = "return loss, images.T @ dscores + weight_decay * W, dscores.sum(axis=0)"
#: One wrong output of loss_and_gradients at a time: the checks that grade it fail, no other. The numeric
#: gradient checks grade the loss too, since they differentiate it.
PLANTED = {
    "the loss in a list": ("return [loss], images.T @ dscores + weight_decay * W, dscores.sum(axis=0)",
                           {"loss_is_the_batch_negative_log_likelihood_plus_half_the_decay_penalty",
                            "gradients_match_numeric_without_decay", "gradients_match_numeric_with_decay",
                            "loss_and_gradients_match_the_reference"}),
    "db with two columns": ("return loss, images.T @ dscores + weight_decay * W, dscores.sum(axis=0)[:, None][:, [0, 0]]",
                            {"gradients_match_numeric_without_decay", "gradients_match_numeric_with_decay",
                             "loss_and_gradients_match_the_reference"}),
}


@pytest.mark.parametrize("mistake", sorted(PLANTED))
def test_one_wrong_output_costs_only_the_checks_that_grade_it(tmp_path, mistake):
    new, graded_by = PLANTED[mistake]
    assert single_file.failed_by_one_planted_output(tmp_path, ASSIGNMENT, RETURNED, new) == graded_by
