"""The calibrated accuracy bars hold: the reference passes each one on 20 seeds it was not calibrated
with, and the starter passes none.

Slow (the reference trains on the full data 20 times per bar): `make test-slow`, not `make test`.
Each run records what it measured as the bar's ``fresh_seeds`` in autograde/grading/thresholds.json, so the
committed file carries the spread of the last run; the seeds are fixed, so a run on the same data
writes the same numbers again.
"""
from __future__ import annotations

import pytest

from autograde.grading import calibration
from autograde.student import modules, registry

BARS = [(assignment_id, check.bar) for assignment_id in registry.ids()
        for check in calibration.accuracy_checks(assignment_id)]


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id, bar", BARS, ids=[bar.key for _, bar in BARS])
def test_the_reference_passes_the_bar_on_twenty_fresh_seeds_and_the_starter_on_none(
        request, repo, mnist, monkeypatch, assignment_id, bar):
    if registry.get(assignment_id).data == "cifar10":
        monkeypatch.setenv("DLKIT_DATA", str(request.getfixturevalue("cifar10_data_dir")))
    entry_key = bar.entry_key()
    threshold = calibration.bar(entry_key)
    reference = modules.student_code(assignment_id, repo / "solutions" / assignment_id)
    record = calibration.fresh_seeds(lambda seed: bar.score(reference, seed), calibration.FRESH_SEEDS,
                                     threshold)
    calibration.record_fresh_seeds(entry_key, record)
    assert len(record["seeds"]) == 20 and not set(record["seeds"]) & set(calibration.SEEDS)
    assert not record["below_bar"], f"{entry_key}: the reference fell below the bar {threshold} with seeds " \
                                    f"{record['below_bar']}: {record['accuracies']}"
    starter = modules.student_code(assignment_id, repo / "starter" / assignment_id)
    for seed in calibration.FRESH_SEEDS:
        try:
            accuracy = bar.score(starter, seed)
        except NotImplementedError:
            continue
        assert accuracy < threshold, f"{entry_key}: the starter reached {accuracy} with seed {seed}"


def test_a_bar_by_epoch_stops_at_the_first_epoch_that_reaches_it_and_calibrates_by_the_best():
    closed = []

    def accuracies(values):
        try:
            yield from values
        except GeneratorExit:
            closed.append(True)
            raise

    # Grading stops at the first epoch at or above the bar, and closes the trainer.
    assert calibration.reached(accuracies([0.5, 0.8, 0.7, 0.95]), threshold=0.8) == (0.8, 2)
    assert closed == [True]
    # Below the bar every epoch is trained; the best one is reported.
    assert calibration.reached(accuracies([0.5, 0.79, 0.7]), threshold=0.8) == (0.79, 2)
    assert calibration.reached(iter([]), threshold=0.8) == (0.0, 0)
    # Calibration trains every epoch: the seed's score is its best epoch, under the same rule.
    bar = calibration.Bar("x.accuracy", lambda code, seed: accuracies([0.5, 0.9, 0.85]), "", by_epoch=True)
    assert bar.score(None, 0) == 0.9
    assert calibration.Bar("x.accuracy", lambda code, seed: 0.85, "").score(None, 0) == 0.85


def test_a_verdict_by_epoch_says_where_training_stopped_or_the_best_epoch():
    passed = calibration.verdict("x", 0.93, "of training with the notebook's settings", threshold=0.92, epoch=4)
    assert passed.fraction == 1.0
    assert passed.message == ("test accuracy 93.00% at epoch 4 of training with the notebook's settings; "
                              "the bar is 92.00%, so training stopped there")
    with pytest.raises(calibration.CheckFailure, match=r"best test accuracy 91.00% \(epoch 7\) over every epoch"):
        calibration.verdict("x", 0.91, "of training", threshold=0.92, epoch=7)


def test_every_committed_bar_was_calibrated_under_the_rule_its_check_follows():
    committed = calibration.load()
    for _, bar in BARS:
        if bar.data is None:
            assert calibration.rule_of(committed[bar.key]) == bar.rule, bar.key


def test_a_bar_calibrated_under_the_other_rule_is_refused_or_calibrated_again(tmp_path, monkeypatch):
    # A committed bar: grading refuses it, saying what to run (the author changed the check, not the bar).
    thresholds = tmp_path / "thresholds.json"
    calibration.record("logistic_regression.accuracy", {"bar": 0.9, "accuracies": [0.91]}, thresholds)
    monkeypatch.setattr(calibration, "THRESHOLDS", thresholds)
    with pytest.raises(calibration.UsageError, match=r"scored each seed by the test accuracy after training, but "
                                                     r"the check now follows the best epoch: run `dlkit calibrate "
                                                     r"logistic_regression`"):
        calibration.bar("logistic_regression.accuracy", calibration.BEST_EPOCH)
    assert calibration.bar("logistic_regression.accuracy", calibration.AFTER_TRAINING) == 0.9
    # A bar kept beside the grading data: made under the other rule, it is calibrated again on that data.
    monkeypatch.setenv("DLKIT_DATA", str(tmp_path))
    bar = calibration.Bar("logistic_regression.accuracy", lambda code, seed: iter([0.5, 0.8 + seed / 100, 0.7]), "",
                          data=lambda: "d41d8cd9", by_epoch=True)
    calibration.record(bar.entry_key(), {"bar": 0.5, "accuracies": [0.505]}, tmp_path / calibration.LOCAL_THRESHOLDS)
    assert calibration.bar_on_this_data(bar) == (0.795, "calibrated on this data: the reference reached 80.00%-89.00% "
                                                        "over 10 seeds")
    assert calibration.load(tmp_path / calibration.LOCAL_THRESHOLDS)[bar.entry_key()]["rule"] == calibration.BEST_EPOCH
