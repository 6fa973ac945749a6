"""Accuracy bars calibrated from the reference solution, kept in ``thresholds.json``.

``dlkit calibrate`` trains the reference on the grading data over several seeds and
records every accuracy; the bar sits ``MARGIN`` below the worst of them, so the reference
passes on any seed while a broken submission does not.
"""
from __future__ import annotations

import functools
import json
import statistics
from pathlib import Path
from typing import Callable

from autograde.checks import CheckFailure, Result

THRESHOLDS = Path(__file__).with_name("thresholds.json")
#: Distance of the bar below the reference's worst seed, in accuracy (0.005 = half a point).
MARGIN = 0.005


def load() -> dict:
    return json.loads(THRESHOLDS.read_text()) if THRESHOLDS.exists() else {}


def bar(key: str) -> float:
    entries = load()
    if key not in entries:
        raise KeyError(f"no calibrated bar for {key} in {THRESHOLDS}; run `dlkit calibrate`")
    return float(entries[key]["bar"])


@functools.cache
def mnist():
    """MNIST for the accuracy checks, loaded once per grader process whichever check asks first."""
    from data_scripts import load_mnist

    return load_mnist()


def verdict(key: str, achieved: float, trained: str) -> Result:
    """The accuracy check's result: full points at or above the bar of ``key``, else CheckFailure.

    ``trained`` says how the accuracy was reached ("after training with ...").
    """
    threshold = bar(key)
    message = f"test accuracy {achieved:.2%} {trained}; the bar is {threshold:.2%}"
    if achieved < threshold:
        raise CheckFailure(message)
    return Result(1.0, message)


def calibrate(key: str, measure: Callable[[int], float], seeds: list[int], note: str = "") -> dict:
    """Measure the reference's accuracy for each seed and record the bar for ``key``."""
    accuracies = [float(measure(seed)) for seed in seeds]
    entry = {
        "seeds": seeds,
        "accuracies": [round(a, 5) for a in accuracies],
        "mean": round(statistics.fmean(accuracies), 5),
        "spread": round(max(accuracies) - min(accuracies), 5),
        "margin": MARGIN,
        "bar": round(min(accuracies) - MARGIN, 5),
        "note": note,
    }
    entries = load()
    entries[key] = entry
    THRESHOLDS.write_text(json.dumps(entries, indent=2, sort_keys=True) + "\n")
    return entry
