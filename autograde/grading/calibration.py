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

With ``by_epoch=True`` the function yields the test accuracy after every epoch instead, and the
rule is "the bar is reached by some epoch": grading stops training at the first epoch at or
above the bar (the verdict cannot change after it), and calibration scores each seed by its best
epoch, the same rule over the whole run. The reference reaches its bars in a fraction of the
epochs, so grading a class trains far less than the notebook's full schedule.

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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

import numpy as np

from autograde import kit
from autograde.errors import UsageError
from autograde.student import modules, validate
from autograde.student.checks import Check, CheckFailure, Result, assignment_of_module, register

if TYPE_CHECKING:
    class Predictions(Protocol):
        """What a trainer yields the predictions of after each epoch: a generator, or one in the sandbox."""

        def __iter__(self) -> Iterator[object]: ...

        def close(self) -> object: ...

#: What an accuracy check measures: ``measure(code, seed)``, the test accuracy after training (or, for a bar
#: ``by_epoch``, an iterator of the test accuracy after each epoch).
Measure = Callable[[Any, int], "float | Iterator[float]"]
_Measure = TypeVar("_Measure", bound=Measure)

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
#: How a bar's record scored each seed (its ``rule``): the test accuracy after the whole training, or the best
#: epoch's (a bar ``by_epoch``). A record made under the other rule is stale.
AFTER_TRAINING, BEST_EPOCH = "after training", "best epoch"


@dataclass(frozen=True)
class Bar:
    """The bar of one accuracy check: ``measure(code, seed)`` trains ``code`` and returns its test accuracy.

    ``key`` is ``<assignment>.<group>``. ``data`` gives the fingerprint of the grading data at hand
    when that data differs between machines; the bar is then kept under ``<key>@<fingerprint>``.
    """

    key: str
    measure: Measure
    note: str
    data: Callable[[], str] | None = None
    #: ``measure`` yields the test accuracy after every epoch; the rule is "reached by some epoch".
    by_epoch: bool = False

    @property
    def assignment(self) -> str:
        return self.key.split(".", 1)[0]

    def entry_key(self) -> str:
        return self.key if self.data is None else f"{self.key}@{self.data()}"

    @property
    def rule(self) -> str:
        """How the bar's record scores each seed: AFTER_TRAINING, or BEST_EPOCH for a bar ``by_epoch``."""
        return BEST_EPOCH if self.by_epoch else AFTER_TRAINING

    def score(self, code: object, seed: int) -> float:
        """The accuracy the bar is compared with for ``code`` trained with ``seed``: the test accuracy
        after training, or for a bar ``by_epoch`` the best epoch's (every epoch is trained)."""
        if not self.by_epoch:
            return float(cast(float, self.measure(code, seed)))
        return reached(cast("Iterator[float]", self.measure(code, seed)), threshold=None)[0]


def accuracy_check(group: str, points: float, note: str, trained: str | Callable[[], str],
                   data: Callable[[], str] | None = None, by_epoch: bool = False
                   ) -> Callable[[_Measure], _Measure]:
    """Declare the decorated ``measure(student, seed) -> test accuracy`` a hidden check of grade cell ``group``.

    At grading it trains with GRADING_SEED and earns ``points`` at or above the calibrated bar;
    ``trained`` says how the accuracy was reached, in the check's message ("after training with
    ..."; a function when it depends on the data at hand). ``note`` describes the bar's record in
    thresholds.json. With ``data``, the bar is kept per dataset and calibrated on this data when no
    committed bar matches it (``bar_on_this_data``). With ``by_epoch``, the decorated function yields
    the test accuracy after every epoch, and the check passes at the first epoch that reaches the bar.
    """

    def declare(measure: _Measure) -> _Measure:
        declared = Bar(f"{assignment_of_module(measure.__module__)}.{group}", measure, note, data, by_epoch)

        def graded(student: Any) -> Result:
            how = trained() if callable(trained) else trained
            if data is None:
                threshold = bar(declared.key, declared.rule)
            else:
                threshold, origin = bar_on_this_data(declared)
                how = f"{how} (bar {origin})"
            if not by_epoch:
                return verdict(declared.key, cast(float, measure(student, GRADING_SEED)), how, threshold=threshold)
            best, epoch = reached(cast("Iterator[float]", measure(student, GRADING_SEED)), threshold)
            return verdict(declared.key, best, how, threshold=threshold, epoch=epoch)

        graded.__name__, graded.__qualname__ = measure.__name__, measure.__qualname__
        graded.__doc__, graded.__module__ = measure.__doc__, measure.__module__
        register(Check(f"{group}.{measure.__name__}", declared.assignment, group, float(points), True, graded, declared))
        return measure

    return declare


def accuracy_checks(assignment_id: str) -> list[Check]:
    """The accuracy checks of ``assignment_id`` (each has a ``bar``), in the order they are declared."""
    from autograde.student import checks

    return [c for c in checks.load(assignment_id, hidden=True) if c.bar is not None]


def require_bars(assignment_id: str) -> None:
    """Raise UsageError, saying what to run, when an accuracy check of ``assignment_id`` has no committed bar made
    under the rule it follows: before a class is graded, not as every student's failed check. (A bar kept per
    dataset is calibrated on the grading data when it is first needed.)"""
    for check in accuracy_checks(assignment_id):
        declared = cast(Bar, check.bar)
        if declared.data is None:
            bar(declared.key, declared.rule)


def load(path: Path | None = None) -> dict[str, Any]:
    """The bars recorded in ``path`` (by default THRESHOLDS)."""
    path = path or THRESHOLDS
    return json.loads(path.read_text()) if path.exists() else {}


def bar(key: str, rule: str | None = None) -> float:
    """The committed bar of ``key``; with ``rule``, only one whose record was made under that rule."""
    entries = load()
    if key not in entries:
        raise UsageError(f"no calibrated bar for {key} in {THRESHOLDS}; run `dlkit calibrate`")
    if rule is not None and rule_of(entries[key]) != rule:
        raise UsageError(f"the bar of {key} in {THRESHOLDS} scored each seed by the test accuracy "
                         f"{'after training' if rule_of(entries[key]) == AFTER_TRAINING else 'of the best epoch'}, but "
                         f"the check now follows {'the best epoch' if rule == BEST_EPOCH else 'the end of training'}: "
                         f"run `dlkit calibrate {key.split('.', 1)[0]}`")
    return float(entries[key]["bar"])


def reached(accuracies: Iterable[float], threshold: float | None) -> tuple[float, int]:
    """(best accuracy, its epoch counted from 1) of the test accuracies ``accuracies`` yields after each
    epoch. Training stops at the first epoch that reaches ``threshold`` (the iterator is closed, so the
    trainer in the sandbox lets go of its data at once); without ``threshold``, every epoch is trained.
    No epoch at all is accuracy 0 at epoch 0.
    """
    best, best_epoch = 0.0, 0
    iterator = iter(accuracies)
    for epoch, accuracy in enumerate(iterator, start=1):
        accuracy = float(accuracy)
        if best_epoch == 0 or accuracy > best:
            best, best_epoch = accuracy, epoch
        if threshold is not None and accuracy >= threshold:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()
            break
    return best, best_epoch


def epoch_accuracies(predictions: Predictions, labels: np.ndarray) -> Iterator[float]:
    """The test accuracy of each of the predictions (N,) that ``predictions`` yields after an epoch, against
    ``labels`` (N,), which never leave the grader. When the caller stops early, the trainer's iterator
    is closed too, so that the trainer in the sandbox lets go of its data at once."""
    try:
        for prediction in predictions:
            yield float(np.mean(validate.labels(prediction, "prediction", len(labels)) == labels))
    except GeneratorExit:
        predictions.close()
        raise


def verdict(key: str, achieved: float, trained: str, threshold: float | None = None,
            epoch: int | None = None) -> Result:
    """The accuracy check's result: full points at or above the bar of ``key``, else CheckFailure.

    ``trained`` says how the accuracy was reached ("after training with ..."). ``epoch``, for a bar
    by epoch: the epoch of ``achieved``, the first to reach the bar or else the best.
    """
    threshold = bar(key) if threshold is None else threshold
    if epoch is None:
        message = f"test accuracy {achieved:.2%} {trained}; the bar is {threshold:.2%}"
    elif achieved >= threshold:
        message = (f"test accuracy {achieved:.2%} at epoch {epoch} {trained}; the bar is {threshold:.2%}, "
                   f"so training stopped there")
    else:
        message = (f"best test accuracy {achieved:.2%} (epoch {epoch}) over every epoch {trained}; "
                   f"the bar is {threshold:.2%}")
    if achieved < threshold:
        raise CheckFailure(message)
    return Result(1.0, message)


def entry(measure: Callable[[int], float], seeds: Sequence[int], note: str = "",
          rule: str = AFTER_TRAINING) -> dict[str, Any]:
    """Measure the reference's accuracy for each seed (scored by ``rule``); the record of a bar."""
    accuracies = [float(measure(seed)) for seed in seeds]
    return {
        "rule": rule,
        "seeds": list(seeds),
        "accuracies": [round(a, 5) for a in accuracies],
        "mean": round(statistics.fmean(accuracies), 5),
        "spread": round(max(accuracies) - min(accuracies), 5),
        "margin": MARGIN,
        "bar": round(min(accuracies) - MARGIN, 5),
        "note": note,
    }


def record(key: str, value: Mapping[str, Any], path: Path = THRESHOLDS) -> None:
    entries = load(path)
    entries[key] = value
    path.write_text(json.dumps(entries, indent=2, sort_keys=True) + "\n")


def calibrate(key: str, measure: Callable[[int], float], seeds: Sequence[int], note: str = "",
              rule: str = AFTER_TRAINING) -> dict[str, Any]:
    """Measure the reference's accuracy for each seed and record the bar for ``key`` in thresholds.json."""
    value = entry(measure, seeds, note, rule)
    record(key, value)
    return value


def fresh_seeds(measure: Callable[[int], float], seeds: Sequence[int], threshold: float) -> dict[str, Any]:
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


def record_fresh_seeds(key: str, value: Mapping[str, Any], path: Path = THRESHOLDS) -> None:
    """Keep ``fresh_seeds`` beside the bar of ``key`` (a new calibration of the bar drops it)."""
    entries = load(path)
    entries[key]["fresh_seeds"] = value
    path.write_text(json.dumps(entries, indent=2, sort_keys=True) + "\n")


def rule_of(record: Mapping[str, Any]) -> str:
    """The rule a bar's record was made under (records older than the rules were made AFTER_TRAINING)."""
    return str(record.get("rule", AFTER_TRAINING))


def bar_on_this_data(bar: Bar) -> tuple[float, str]:
    """(bar, where it came from) for a bar kept per dataset, calibrating it on this data if nobody has.

    Several graders may ask at once: a lock on the data folder's calibration file lets one of
    them train the reference while the others wait for its record.
    """
    from data_scripts import data_dir

    entry_key = bar.entry_key()
    committed = load()
    if entry_key in committed and rule_of(committed[entry_key]) == bar.rule:
        return float(committed[entry_key]["bar"]), "calibrated for this data in thresholds.json"
    local = data_dir() / LOCAL_THRESHOLDS
    local.parent.mkdir(parents=True, exist_ok=True)
    with open(local.with_name(local.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        entries = load(local)
        if entry_key not in entries or rule_of(entries[entry_key]) != bar.rule:  # none, or made under another rule
            reference = modules.student_code(bar.assignment, kit.solutions(bar.assignment))
            record(entry_key, entry(lambda seed: bar.score(reference, seed), SEEDS, bar.note, bar.rule), local)
            entries = load(local)
    found = entries[entry_key]
    return float(found["bar"]), (f"calibrated on this data: the reference reached "
                                 f"{min(found['accuracies']):.2%}-{max(found['accuracies']):.2%} over "
                                 f"{len(found['seeds'])} seeds")
