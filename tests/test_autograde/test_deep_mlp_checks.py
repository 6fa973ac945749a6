"""The deep_mlp checks: the reference passes, the starter and realistic bugs fail with messages
that say what, where and (for known mistakes) why."""
from __future__ import annotations

import pytest

from autograde import checks, runner, student
from autograde.report import CheckOutcome, render

from test_autograde import single_file

FAST = [c for c in checks.load("deep_mlp") if c.group != "accuracy"]


def submission(tmp_path, source: str = "solutions", old: str = "", new: str = ""):
    return single_file.submission(tmp_path, "deep_mlp", source, old, new)


def outcomes(folder) -> dict[str, CheckOutcome]:
    return single_file.outcomes("deep_mlp", folder, FAST)


def test_points_per_grade_cell():
    groups = checks.groups(checks.load("deep_mlp"))
    assert {g: sum(c.points for c in cs) for g, cs in groups.items()} == {
        "initialization": 2, "layers": 3, "loss": 3, "l1": 2, "network": 3, "step_schedule": 2, "accuracy": 3}


def test_reference_passes_every_check(tmp_path):
    results = outcomes(submission(tmp_path))
    assert all(o.passed for o in results.values()), render(list(results.values()))


def test_starter_fails_every_check(tmp_path):
    results = outcomes(submission(tmp_path, "starter"))
    assert not any(o.passed for o in results.values()), render(list(results.values()))
    assert all("not implemented yet" in o.message for o in results.values()), render(list(results.values()))


BUGS = [
    ("variance for scale", "rng.normal(0.0, scale, size=(fan_in, fan_out))", "rng.normal(0.0, scale ** 2, size=(fan_in, fan_out))",
     "init_params_draws_normal_weights_and_zero_biases", "scale**2"),
    ("uniform init", "rng.normal(0.0, scale, size=(fan_in, fan_out))", "rng.uniform(-scale, scale, size=(fan_in, fan_out))",
     "init_params_draws_normal_weights_and_zero_biases", "uniform"),
    ("relu mask only", "return dout * (x > 0)", "return (x > 0) * 1.0",
     "dense_and_relu_backward_match_numeric_gradients", "mask"),
    ("loss summed", "loss = float(-log_probabilities[rows, labels].mean())", "loss = float(-log_probabilities[rows, labels].sum())",
     "cross_entropy_value_is_log_classes_at_zero_and_stable_near_1000", "average"),
    ("no max subtraction", "shifted = logits - logits.max(axis=1, keepdims=True)", "shifted = logits",
     "cross_entropy_value_is_log_classes_at_zero_and_stable_near_1000", "subtract each row's maximum"),
    ("gradient not averaged", "return loss, dlogits / len(labels)", "return loss, dlogits",
     "cross_entropy_gradient_matches_numeric", "divide by N"),
    ("biases regularized", "sum(np.abs(W).sum() for W, _ in params)", "sum(np.abs(W).sum() + np.abs(b).sum() for W, b in params)",
     "l1_penalty_sums_absolute_weights_and_gives_their_signs", "biases are not regularized"),
    ("L1 gradient missing", "penalty, grads = l1_penalty(params, l1)", "penalty, grads = l1_penalty(params, 0.0)[0] + l1_penalty(params, l1)[0], l1_penalty(params, 0.0)[1]",
     "network_gradients_match_numeric", "lacks the L1 term"),
    ("step halves every epoch", "return initial * 0.5 ** (epoch // halve_every)", "return initial * 0.5 ** epoch",
     "step_halves_every_two_epochs", "halves every epoch"),
    ("schedule off by one", "return initial * 0.5 ** (epoch // halve_every)", "return initial * 0.5 ** ((epoch + 1) // halve_every)",
     "step_halves_every_two_epochs", "count from 0"),
]


@pytest.mark.parametrize("name, old, new, failing, hint", BUGS, ids=[b[0] for b in BUGS])
def test_realistic_bug_is_caught_with_a_hint(tmp_path, name, old, new, failing, hint):
    outcome = outcomes(submission(tmp_path, old=old, new=new))[failing]
    assert not outcome.passed, f"{name} passed {failing}"
    assert hint in (outcome.hint or "") + outcome.message, render([outcome])


def test_sandbox_gives_the_same_results(tmp_path):
    folder = submission(tmp_path, old="sum(np.abs(W).sum() for W, _ in params)",
                        new="sum(np.abs(W).sum() + np.abs(b).sum() for W, b in params)")
    local = {k: (o.passed, o.hint) for k, o in outcomes(folder).items()}
    groups = {c.group for c in FAST}
    graded = {o.id.split(".")[1]: (o.passed, o.hint) for o in runner.run("deep_mlp", folder, groups=groups).outcomes}
    assert graded == local and not graded["l1_penalty_sums_absolute_weights_and_gives_their_signs"][0]


def test_accuracy_check_passes_the_reference_and_fails_the_starter(tmp_path, mnist):
    [accuracy] = [c for c in checks.load("deep_mlp") if c.group == "accuracy"]
    passed = accuracy.run(student.load("deep_mlp", submission(tmp_path / "reference")))
    assert passed.passed and "the bar is" in passed.message, passed.message
    failed = accuracy.run(student.load("deep_mlp", submission(tmp_path / "starter", "starter")))
    assert not failed.passed and "not implemented" in failed.message
