"""Accuracy earned by training: the provided trainers run here, on the grader's side, and reach the student's
code only through its functions (through the sandbox at grading).

What the student ships cannot replace the training loop, because the loop is the kit's own copy of the
provided module, executed in the grader with the student's modules bound to the student's code (``provided``).
The test predictions are the grader's too: the reference forward of the same model on the trained parameters
(each assignment's accuracy check), so a lookup table in the student's code never sees a test image.

What is left to the student's code is what training asks of it: a loss and its gradient, a layer's forward
and backward, an optimizer's step. A secret random sample of those calls is also computed by the reference on
the same inputs (``Audit``): a call whose result differs from the reference's by more than ``TOLERANCE`` ends
training, and the accuracy check fails with the step and what differed. The student cannot tell a sampled call
from the others (the sample is drawn here, with the grading's key), so a gradient that steers towards embedded
weights is found within a few sampled steps, while an honest implementation that agrees with the reference
(an alternative that computes the same thing differently) is never told apart from it.
"""
from __future__ import annotations

import functools
import importlib
import importlib.util
import sys
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from autograde import kit
from autograde.student import checks, registry
from autograde.student.checks import CheckFailure

#: Largest relative difference (Frobenius norm of the difference over the reference's) between a sampled
#: call's result and the reference's. Loose on purpose: rounding, an alternative formula or a forgotten
#: weight decay of 1e-5 stay far below it; a gradient that steers training somewhere else does not.
TOLERANCE = 0.1
#: Share of the calls the reference also computes.
SAMPLED_SHARE = 1 / 16
#: Seed of the sample (mixed with the grading's key at grading, as ``checks.input_rng`` does).
SAMPLE_SEED = 7919

#: ``compare(result, expected)``: the arrays of a call's result that training uses, and the reference's.
Compare = Callable[[Any, Any], "tuple[Sequence[np.ndarray], Sequence[np.ndarray]]"]


class Sample:
    """Which calls the reference also computes: each with probability ``share``, drawn from a generator the
    student's code never sees. One per accuracy check, shared by the functions it audits, so that steps are
    counted across them."""

    def __init__(self, share: float = SAMPLED_SHARE, seed: int = SAMPLE_SEED) -> None:
        self.share = share
        self.rng = checks.input_rng(seed)
        self.calls = 0
        self.sampled = 0

    def draw(self) -> bool:
        self.calls += 1
        chosen = bool(self.rng.random() < self.share)
        self.sampled += chosen
        return chosen


def deviation(results: Sequence[np.ndarray], expected: Sequence[np.ndarray]) -> float:
    """Relative difference of ``results`` from ``expected``: the norm of the difference over the norm of the
    expected arrays (as if concatenated). Arrays of another shape, or not finite, differ by infinity."""
    difference = scale = 0.0
    for result, reference in zip(results, expected, strict=True):
        result, reference = np.asarray(result, dtype=np.float64), np.asarray(reference, dtype=np.float64)
        if result.shape != reference.shape:
            try:
                result = np.broadcast_to(result, reference.shape) if result.size == reference.size else result
                result = result.reshape(reference.shape)
            except ValueError:
                return float("inf")
        if not np.all(np.isfinite(result)):
            return float("inf")
        difference += float(np.sum((result - reference) ** 2))
        scale += float(np.sum(reference ** 2))
    return float(np.sqrt(difference) / max(np.sqrt(scale), 1e-12))


class Audit:
    """``function`` (the student's, through the sandbox) as training calls it: on the calls ``sample`` draws,
    the reference computes the same call and ``compare`` picks the arrays to hold side by side.

    ``validate(result, *args, **kwargs)``, on every call, returns the result as the trainer may use it (the
    shapes it expects) or raises CheckFailure: the trainer runs here, and must not be handed a value it would
    fail on.
    """

    def __init__(self, name: str, function: Callable[..., Any], reference: Callable[..., Any], compare: Compare,
                 sample: Sample, what: str = "result", validate: Callable[..., Any] | None = None) -> None:
        self.name, self.function, self.reference, self.compare = name, function, reference, compare
        self.sample, self.what, self.validate = sample, what, validate

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        result = self.function(*args, **kwargs)
        if self.validate is not None:
            result = self.validate(result, *args, **kwargs)
        if self.sample.draw():
            expected = self.reference(*args, **kwargs)
            found = deviation(*self.compare(result, expected))
            if found > TOLERANCE:
                raise StepDiffers(self.sample.calls, f"{self.name}'s {self.what}", found)
        return result


class StepDiffers(CheckFailure):
    """A sampled training step whose result differs from the reference's on the same inputs."""

    def __init__(self, step: int, what: str, found: float) -> None:
        by = "more than any bound" if found == float("inf") else f"{found:.0%}"
        super().__init__(f"at training step {step}, one the grader also computed with the reference, {what} "
                         f"differs from the reference's on the same inputs by {by} (at most {TOLERANCE:.0%}): "
                         f"accuracy points need your code to compute in training what the checks ask of it")


class _StudentNamespace(types.ModuleType):
    """A module whose names are the student's code's: ``getattr(source(), name)``, or the audited versions of
    ``audited``. ``source`` is called on first use, so that a module the student's code could not import
    fails the call that needs it (NotRun), not the loading of the trainer."""

    def __init__(self, name: str, source: Callable[[], Any], audited: Mapping[str, Callable[..., Any]]) -> None:
        super().__init__(name)
        self.__dict__["_source"], self.__dict__["_audited"] = source, audited

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        audited = self.__dict__["_audited"]
        return audited[name] if name in audited else getattr(self.__dict__["_source"](), name)


def provided(student: Any, assignment_id: str, module: str, trusted: Iterable[str] = (),
             audited: Mapping[str, Callable[..., Any]] | None = None) -> types.ModuleType:
    """The kit's own copy of the provided ``module`` of ``assignment_id``, executed here. The modules it imports
    are the student's code's (``student``: through the sandbox at grading): the student's modules, and the other
    provided modules as loaded beside them, except those named in ``trusted``, which are the kit's copies too.
    ``audited`` replaces the student's functions of those names (``Audit``)."""
    spec = registry.get(assignment_id)
    own = {module, *trusted}
    namespace = {name: _StudentNamespace(name, lambda: student, audited or {})
                 for name in spec.student_modules if name not in own}
    namespace.update({name: _StudentNamespace(name, functools.partial(student.provided, name), {})
                      for name in spec.provided_modules if name not in own})
    with _imports(kit.solutions(assignment_id), namespace, own):
        return importlib.import_module(module)


@contextmanager
def _imports(folder: Any, bound: Mapping[str, types.ModuleType], own: Iterable[str]) -> Iterator[None]:
    """Within the block, ``import`` finds ``bound``'s modules as they are and the modules of ``own`` in
    ``folder`` (loaded anew); afterwards ``sys.modules`` and ``sys.path`` are as they were."""
    names = {*bound, *own, *(name.split(".")[0] for name in (*bound, *own))}
    saved = {name: sys.modules[name] for name in list(sys.modules) if name.split(".")[0] in names}
    for name in saved:
        del sys.modules[name]
    sys.modules.update(bound)
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] in names]:
            del sys.modules[name]
        sys.modules.update(saved)
