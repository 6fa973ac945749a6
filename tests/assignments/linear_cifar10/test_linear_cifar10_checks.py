"""The linear_cifar10 checks: the reference passes, the starter and realistic bugs fail with
messages that say what, where and (for known mistakes) why; the accuracy bar adapts to the data."""
from __future__ import annotations

import pytest

from autograde.grading import calibration
from autograde.grading import runner
from autograde.student import checks
from autograde.student import modules
from autograde.student.outcome import render
from data_scripts import cifar10
from data_scripts.download import Digest
from support.fake_server import FakeServer

from support import catalogued, single_file

ASSIGNMENT = "linear_cifar10"
FAST = [c for c in checks.load(ASSIGNMENT) if c.group != "accuracy"]


def outcomes(tmp_path, source="solutions", old="", new=""):
    return single_file.outcomes(ASSIGNMENT, single_file.submission(tmp_path, ASSIGNMENT, source, old, new), FAST)


def test_points_per_grade_cell():
    groups = checks.groups(checks.load(ASSIGNMENT))
    assert {g: sum(c.points for c in cs) for g, cs in groups.items()} == {
        "evaluate": 2, "cost": 3, "compute_accuracy": 2, "gradients": 3, "minibatch": 3, "accuracy": 3}


def test_reference_passes_every_check(tmp_path):
    results = outcomes(tmp_path)
    assert all(o.passed for o in results.values()), render(list(results.values()))


def test_starter_fails_every_check(tmp_path):
    results = outcomes(tmp_path, "starter")
    assert not any(o.passed for o in results.values()), render(list(results.values()))
    assert all("not implemented yet" in o.message for o in results.values()), render(list(results.values()))


@pytest.mark.parametrize("bug", catalogued.cases(ASSIGNMENT, FAST))
def test_catalogued_bug_is_caught_with_a_hint(tmp_path, bug):
    """Each mistake of linear_cifar10's catalogue/bugs.toml fails its checks, with the catalogued hint."""
    catalogued.assert_caught(tmp_path, bug, FAST)


def test_a_cost_bug_costs_the_cost_points_not_the_public_gradient_points(tmp_path):
    results = outcomes(tmp_path, old="-np.sum(Y * log_probabilities) / X.shape[1]", new="-np.sum(Y * log_probabilities)")
    failed = {name for name, outcome in results.items() if not outcome.passed}
    assert "cost_is_the_mean_cross_entropy" in failed and "cost_matches_the_reference" in failed
    assert "evaluate_classifier_is_a_column_softmax_stable_near_1000" not in failed


@pytest.mark.heavy
def test_sandbox_gives_the_same_results(tmp_path):
    folder = single_file.submission(tmp_path, ASSIGNMENT, old="G @ X.T / n + 2 * lamda * W", new="G @ X.T / n")
    local = {k: (o.passed, o.hint) for k, o in single_file.outcomes(ASSIGNMENT, folder, FAST).items()}
    graded = {o.name: (o.passed, o.hint)
              for o in runner.run(ASSIGNMENT, folder, groups={c.group for c in FAST}).outcomes}
    assert graded == local and not graded["gradients_match_numeric_gradients_with_regularization"][0]


def accuracy_outcome(folder):
    [accuracy] = [c for c in checks.load(ASSIGNMENT) if c.group == "accuracy"]
    return accuracy.run(modules.student_code(ASSIGNMENT, folder))


@pytest.mark.heavy
def test_accuracy_check_passes_the_reference_and_fails_the_starter_and_a_bug(tmp_path, cifar10_data_dir, monkeypatch):
    monkeypatch.setenv("DLKIT_DATA", str(cifar10_data_dir))
    passed = accuracy_outcome(single_file.submission(tmp_path / "reference", ASSIGNMENT))
    assert passed.passed and "calibrated for this data in thresholds.json" in passed.message, passed.message
    assert "NOT the official CIFAR-10" in passed.message
    failed = accuracy_outcome(single_file.submission(tmp_path / "starter", ASSIGNMENT, "starter"))
    assert not failed.passed and "not implemented" in failed.message
    uphill = accuracy_outcome(single_file.submission(tmp_path / "uphill", ASSIGNMENT, old="G = P - Y", new="G = Y - P"))
    # Training with it would end below the bar; a sampled epoch shows why before that.
    assert not uphill.passed and "MiniBatchGD's change of W and b over an epoch differs from the reference's" \
        in uphill.message, uphill.message


@pytest.mark.heavy
def test_the_bar_is_calibrated_on_data_it_has_not_seen_once(tmp_path, monkeypatch):
    """Data with another checksum (CIFAR-10 itself, at an instructor's site) gets its own bar, from the
    reference trained on that data over the calibration seeds, recorded beside the data and reused."""
    served, data_dir = tmp_path / "served", tmp_path / "data"
    served.mkdir()
    digest = Digest("md5", cifar10.write_stand_in(served / cifar10.TARBALL, images_per_batch=300, seed=7))
    with FakeServer(served) as server:
        cifar10.prepare(data_dir, cifar10.Sources(urls=(f"{server.url}/good/{cifar10.TARBALL}",), digest=digest))
    monkeypatch.setenv("DLKIT_DATA", str(data_dir))
    assert f"linear_cifar10.accuracy@{digest.hexdigest}" not in calibration.load()
    passed = accuracy_outcome(single_file.submission(tmp_path / "reference", ASSIGNMENT))
    assert passed.passed and "calibrated on this data: the reference reached" in passed.message, passed.message
    recorded = calibration.load(data_dir / calibration.LOCAL_THRESHOLDS)[f"linear_cifar10.accuracy@{digest.hexdigest}"]
    assert recorded["seeds"] == list(calibration.SEEDS) and recorded["bar"] == round(min(recorded["accuracies"]) - calibration.MARGIN, 5)

    def no_second_calibration(*args, **kwargs):
        raise AssertionError("calibrated twice")

    monkeypatch.setattr(calibration, "entry", no_second_calibration)
    again = accuracy_outcome(single_file.submission(tmp_path / "again", ASSIGNMENT))
    assert again.passed and f"the bar is {recorded['bar']:.2%}" in again.message


GRADIENTS = "return G @ X.T / n + 2 * lamda * W, G.sum(axis=1, keepdims=True) / n"
COST = "return float(-np.sum(Y * log_probabilities) / X.shape[1] + lamda * np.sum(W ** 2))"
ACCURACY = "return float(np.mean(np.argmax(EvaluateClassifier(X, W, b), axis=0) == y))"
NUMERIC = {"gradients_match_numeric_gradients_without_regularization",
           "gradients_match_numeric_gradients_with_regularization"}
#: One wrong output at a time: the checks that grade it fail, no other. MiniBatchGD's checks replay your
#: gradients, so a wrong grad_W costs them nothing; a grad_b per example leaves your MiniBatchGD a b of the
#: wrong shape, and costs them. The numeric gradient checks differentiate your cost, and grade it too.
PLANTED = {
    "grad_W twice too large": (GRADIENTS, "return 2 * (G @ X.T / n + 2 * lamda * W), G.sum(axis=1, keepdims=True) / n",
                               NUMERIC | {"gradients_match_numeric_gradients_of_the_reference_cost"}),
    "grad_b per example": (GRADIENTS, "return G @ X.T / n + 2 * lamda * W, G / n",
                           NUMERIC | {"gradients_match_numeric_gradients_of_the_reference_cost",
                                      "one_epoch_steps_through_the_batches_in_order_visiting_every_column_once",
                                      "epochs_repeat_the_epoch_and_the_cost_falls",
                                      "minibatch_gd_with_other_batch_sizes_and_epochs"}),
    "the cost in a list": (COST, "return [" + COST.removeprefix("return ") + "]",
                           NUMERIC | {"cost_is_the_mean_cross_entropy", "cost_adds_lamda_times_the_sum_of_squared_weights",
                                      "cost_matches_the_reference"}),
    "the accuracy as a count": (ACCURACY, ACCURACY.replace("np.mean", "np.sum"),
                                {"compute_accuracy_is_the_share_of_columns_whose_largest_probability_is_the_label",
                                 "compute_accuracy_with_ten_classes_and_a_single_column"}),
}


@pytest.mark.parametrize("mistake", sorted(PLANTED))
def test_one_wrong_output_costs_only_the_checks_that_grade_it(tmp_path, mistake):
    old, new, graded_by = PLANTED[mistake]
    assert single_file.failed_by_one_planted_output(tmp_path, "linear_cifar10", old, new) == graded_by
