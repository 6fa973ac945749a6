"""Accuracy checks, and their bars calibrated from the reference solution (``thresholds.json``).

An accuracy check is declared once, on the function that measures it::

    @accuracy_check("accuracy", points=3, note="reference ..., MNIST train 50k -> test 10k",
                    trained="after training with the notebook's hyperparameters")
    def reaches_calibrated_test_accuracy_on_mnist(student, seed):
        \"\"\"Trained with the notebook's hyperparameters, ... reaches the calibrated test accuracy.\"\"\"
        ...train with the provided trainer and ``seed``, return the test accuracy...

It is a hidden check of grade cell ``accuracy`` whose bar is kept under ``<assignment>.<group>``:
at grading it trains with ``GRADING_SEED``; calibration, the self-test and the slow tests call the
same function with their own seeds (``Check.bar``).

``dlkit calibrate`` trains the reference on the grading data over several seeds and
records every accuracy; the bar sits ``MARGIN`` below the worst of them, so the reference
passes on any seed while a broken submission does not.

Bars on data that differs between machines (CIFAR-10, or the stand-in in its format where the
official site cannot be reached) are kept per dataset, keyed by the data's checksum. When no
committed bar matches the data at hand, the grader calibrates one the first time it needs it,
on that data, and keeps it beside the data (``calibration.json`` in the data folder).
"""
from __future__ import annotations

import fcntl
import json
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from autograde import kit
from autograde.student import modules
from autograde.student.checks import Check, CheckFailure, Result, assignment_of_module, register

THRESHOLDS = Path(__file__).with_name("thresholds.json")
#: Distance of the bar below the reference's worst seed, in accuracy (0.005 = half a point).
MARGIN = 0.005
#: Seeds the reference trains with when a bar is calibrated.
SEEDS = tuple(range(10))
#: Bars calibrated on the grading machine, kept in the data folder beside the data they are for.
LOCAL_THRESHOLDS = "calibration.json"
#: The seed an accuracy check trains with at grading; calibration never uses it.
GRADING_SEED = 1000
#: Seeds that show a bar holds: neither calibration (SEEDS) nor grading (GRADING_SEED) uses them.
FRESH_SEEDS = tuple(range(100, 120))


@dataclass(frozen=True)
class Bar:
    """The bar of one accuracy check: ``measure(code, seed)`` trains ``code`` and returns its test accuracy.

    ``key`` is ``<assignment>.<group>``. ``data`` gives the fingerprint of the grading data at hand
    when that data differs between machines; the bar is then kept under ``<key>@<fingerprint>``.
    """

    key: str
    measure: Callable[[object, int], float]
    note: str
    data: Callable[[], str] | None = None

    @property
    def assignment(self) -> str:
        return self.key.split(".", 1)[0]

    def entry_key(self) -> str:
        return self.key if self.data is None else f"{self.key}@{self.data()}"


def accuracy_check(group: str, points: float, note: str, trained: str | Callable[[], str],
                   data: Callable[[], str] | None = None):
    """Declare the decorated ``measure(student, seed) -> test accuracy`` a hidden check of grade cell ``group``.

    At grading it trains with GRADING_SEED and earns ``points`` at or above the calibrated bar;
    ``trained`` says how the accuracy was reached, in the check's message ("after training with
    ..."; a function when it depends on the data at hand). ``note`` describes the bar's record in
    thresholds.json. With ``data``, the bar is kept per dataset and calibrated on this data when no
    committed bar matches it (``bar_on_this_data``).
    """

    def declare(measure: Callable[[object, int], float]) -> Callable[[object, int], float]:
        bar = Bar(f"{assignment_of_module(measure.__module__)}.{group}", measure, note, data)

        def graded(student) -> Result:
            achieved = measure(student, GRADING_SEED)
            how = trained() if callable(trained) else trained
            if data is None:
                return verdict(bar.key, achieved, how)
            threshold, origin = bar_on_this_data(bar)
            return verdict(bar.key, achieved, f"{how} (bar {origin})", threshold=threshold)

        graded.__name__, graded.__qualname__ = measure.__name__, measure.__qualname__
        graded.__doc__, graded.__module__ = measure.__doc__, measure.__module__
        register(Check(f"{group}.{measure.__name__}", bar.assignment, group, float(points), True, graded, bar))
        return measure

    return declare


def accuracy_checks(assignment_id: str) -> list[Check]:
    """The accuracy checks of ``assignment_id`` (each has a ``bar``), in the order they are declared."""
    from autograde.student import checks

    return [c for c in checks.load(assignment_id, hidden=True) if c.bar is not None]


def load(path: Path = THRESHOLDS) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def bar(key: str) -> float:
    entries = load()
    if key not in entries:
        raise KeyError(f"no calibrated bar for {key} in {THRESHOLDS}; run `dlkit calibrate`")
    return float(entries[key]["bar"])


def verdict(key: str, achieved: float, trained: str, threshold: float | None = None) -> Result:
    """The accuracy check's result: full points at or above the bar of ``key``, else CheckFailure.

    ``trained`` says how the accuracy was reached ("after training with ...").
    """
    threshold = bar(key) if threshold is None else threshold
    message = f"test accuracy {achieved:.2%} {trained}; the bar is {threshold:.2%}"
    if achieved < threshold:
        raise CheckFailure(message)
    return Result(1.0, message)


def entry(measure: Callable[[int], float], seeds, note: str = "") -> dict:
    """Measure the reference's accuracy for each seed; the record of a bar."""
    accuracies = [float(measure(seed)) for seed in seeds]
    return {
        "seeds": list(seeds),
        "accuracies": [round(a, 5) for a in accuracies],
        "mean": round(statistics.fmean(accuracies), 5),
        "spread": round(max(accuracies) - min(accuracies), 5),
        "margin": MARGIN,
        "bar": round(min(accuracies) - MARGIN, 5),
        "note": note,
    }


def record(key: str, value: dict, path: Path = THRESHOLDS) -> None:
    entries = load(path)
    entries[key] = value
    path.write_text(json.dumps(entries, indent=2, sort_keys=True) + "\n")


def calibrate(key: str, measure: Callable[[int], float], seeds, note: str = "") -> dict:
    """Measure the reference's accuracy for each seed and record the bar for ``key`` in thresholds.json."""
    value = entry(measure, seeds, note)
    record(key, value)
    return value


def fresh_seeds(measure: Callable[[int], float], seeds, threshold: float) -> dict:
    """Measure the reference's accuracy for seeds the bar was not calibrated with: the record that it holds."""
    accuracies = [float(measure(seed)) for seed in seeds]
    return {
        "seeds": list(seeds),
        "accuracies": [round(a, 5) for a in accuracies],
        "min": round(min(accuracies), 5),
        "mean": round(statistics.fmean(accuracies), 5),
        "max": round(max(accuracies), 5),
        "bar": threshold,
        "below_bar": [seed for seed, a in zip(seeds, accuracies) if a < threshold],
    }


def record_fresh_seeds(key: str, value: dict, path: Path = THRESHOLDS) -> None:
    """Keep ``fresh_seeds`` beside the bar of ``key`` (a new calibration of the bar drops it)."""
    entries = load(path)
    entries[key]["fresh_seeds"] = value
    path.write_text(json.dumps(entries, indent=2, sort_keys=True) + "\n")


def bar_on_this_data(bar: Bar) -> tuple[float, str]:
    """(bar, where it came from) for a bar kept per dataset, calibrating it on this data if nobody has.

    Several graders may ask at once: a lock on the data folder's calibration file lets one of
    them train the reference while the others wait for its record.
    """
    from data_scripts import data_dir

    entry_key = bar.entry_key()
    committed = load()
    if entry_key in committed:
        return float(committed[entry_key]["bar"]), "calibrated for this data in thresholds.json"
    local = data_dir() / LOCAL_THRESHOLDS
    local.parent.mkdir(parents=True, exist_ok=True)
    with open(local.with_name(local.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        entries = load(local)
        if entry_key not in entries:
            reference = modules.load(bar.assignment, kit.solutions(bar.assignment))
            record(entry_key, entry(lambda seed: bar.measure(reference, seed), SEEDS, bar.note), local)
            entries = load(local)
    found = entries[entry_key]
    return float(found["bar"]), (f"calibrated on this data: the reference reached "
                                 f"{min(found['accuracies']):.2%}-{max(found['accuracies']):.2%} over "
                                 f"{len(found['seeds'])} seeds")
