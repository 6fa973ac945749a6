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
    reference = modules.load(assignment_id, repo / "solutions" / assignment_id)
    record = calibration.fresh_seeds(lambda seed: bar.measure(reference, seed), calibration.FRESH_SEEDS,
                                     threshold)
    calibration.record_fresh_seeds(entry_key, record)
    assert len(record["seeds"]) == 20 and not set(record["seeds"]) & set(calibration.SEEDS)
    assert not record["below_bar"], f"{entry_key}: the reference fell below the bar {threshold} with seeds " \
                                    f"{record['below_bar']}: {record['accuracies']}"
    starter = modules.load(assignment_id, repo / "starter" / assignment_id)
    for seed in calibration.FRESH_SEEDS:
        try:
            accuracy = bar.measure(starter, seed)
        except NotImplementedError:
            continue
        assert accuracy < threshold, f"{entry_key}: the starter reached {accuracy} with seed {seed}"
