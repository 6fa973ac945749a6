"""The logistic_regression checks: the reference passes, the starter and realistic bugs fail with
messages that say what, where and (for known mistakes) why."""
from __future__ import annotations

import pytest

from autograde import checks, runner, student
from autograde.report import render

from test_autograde import single_file

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


BUGS = [
    ("loss averaged", [("log_probabilities[rows, labels].sum() + weight_decay", "log_probabilities[rows, labels].mean() + weight_decay"),
                       ("return loss, images.T @ dscores + weight_decay * W, dscores.sum(axis=0)",
                        "return loss, images.T @ dscores / len(labels) + weight_decay * W, dscores.mean(axis=0)")],
     "", "loss_is_the_batch_negative_log_likelihood_plus_half_the_decay_penalty", "mean over the batch"),
    ("gradient averaged, loss summed", "images.T @ dscores + weight_decay * W", "images.T @ dscores / len(labels) + weight_decay * W",
     "gradients_match_numeric_without_decay", "times too small"),
    ("decay missing from the gradient", "images.T @ dscores + weight_decay * W", "images.T @ dscores",
     "gradients_match_numeric_with_decay", "lacks the decay term"),
    ("decay with the wrong sign in the gradient", "images.T @ dscores + weight_decay * W", "images.T @ dscores - weight_decay * W",
     "gradients_match_numeric_with_decay", "wrong sign"),
    ("penalty not halved", "weight_decay / 2 * np.sum(W ** 2)", "weight_decay * np.sum(W ** 2)",
     "loss_is_the_batch_negative_log_likelihood_plus_half_the_decay_penalty", "half of that"),
    ("bias penalized", "weight_decay / 2 * np.sum(W ** 2)", "weight_decay / 2 * (np.sum(W ** 2) + np.sum(b ** 2))",
     "loss_is_the_batch_negative_log_likelihood_plus_half_the_decay_penalty", "bias is penalized"),
    ("softmax without max subtraction", "shifted = scores - scores.max(axis=1, keepdims=True)\n    exponentials",
     "shifted = scores\n    exponentials", "softmax_rows_sum_to_one_and_are_stable_near_1000", "subtract each row's maximum"),
    ("softmax over the wrong axis", "exponentials.sum(axis=1, keepdims=True)", "exponentials.sum(axis=0, keepdims=True)",
     "softmax_rows_sum_to_one_and_are_stable_near_1000", "each row"),
    ("update up the gradient", "return W - learning_rate * dW, b - learning_rate * db",
     "return W + learning_rate * dW, b + learning_rate * db", "sgd_update_steps_against_the_gradient", "up the gradient"),
    ("prediction without the bias", "return np.argmax(images @ W + b, axis=1)", "return np.argmax(images @ W, axis=1)",
     "predict_gives_the_class_of_the_larger_score", "Add b"),
    ("templates not transposed", "return W.T.reshape(W.shape[1], height, width)", "return W.reshape(W.shape[1], height, width)",
     "templates_are_the_columns_of_w_as_images", "column of W"),
    ("templates in column order", "return W.T.reshape(W.shape[1], height, width)",
     "return W.T.reshape(W.shape[1], width, height).transpose(0, 2, 1)", "templates_are_the_columns_of_w_as_images", "transposed"),
]


@pytest.mark.parametrize("name, old, new, failing, hint", BUGS, ids=[b[0] for b in BUGS])
def test_realistic_bug_is_caught_with_a_hint(tmp_path, name, old, new, failing, hint):
    outcome = outcomes(tmp_path, old=old, new=new)[failing]
    assert not outcome.passed, f"{name} passed {failing}"
    assert hint in (outcome.hint or "") + outcome.message, render([outcome])


def test_sandbox_gives_the_same_results(tmp_path):
    folder = single_file.submission(tmp_path, ASSIGNMENT, old="images.T @ dscores + weight_decay * W", new="images.T @ dscores")
    local = {k: (o.passed, o.hint) for k, o in single_file.outcomes(ASSIGNMENT, folder, FAST).items()}
    graded = {o.id.split(".")[1]: (o.passed, o.hint)
              for o in runner.run(ASSIGNMENT, folder, groups={c.group for c in FAST}).outcomes}
    assert graded == local and not graded["gradients_match_numeric_with_decay"][0]


def test_accuracy_check_passes_the_reference_and_fails_the_starter(tmp_path, mnist):
    [accuracy] = [c for c in checks.load(ASSIGNMENT) if c.group == "accuracy"]
    passed = accuracy.run(student.load(ASSIGNMENT, single_file.submission(tmp_path / "reference", ASSIGNMENT)))
    assert passed.passed and "the bar is" in passed.message, passed.message
    failed = accuracy.run(student.load(ASSIGNMENT, single_file.submission(tmp_path / "starter", ASSIGNMENT, "starter")))
    assert not failed.passed and "not implemented" in failed.message
