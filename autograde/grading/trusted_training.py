"""Accuracy earned by training: the provided trainers run here, on the grader's side, and reach the student's
code only through its functions (through the sandbox at grading).

What the student ships cannot replace the training loop, because the loop is the kit's own copy of the
provided module, executed in the grader with the student's modules bound to the student's code (``provided``).
The test predictions are the grader's too: the reference forward of the same model on the trained parameters
(each assignment's accuracy check), so a lookup table in the student's code never sees a test image.

What is left to the student's code is what training asks of it: a loss and its gradient, a layer's forward
and backward, an optimizer's step. A secret random sample of those calls is also computed by the reference on
the same inputs (``Audit``). When the sampled results differ from the reference's by more than ``TOLERANCE``
(their median so far), training ends and the accuracy check fails with the step and what differed. The student
cannot tell a sampled call from the others (the sample is drawn here, with the grading's key), so a gradient that
steers towards embedded weights is found within a few sampled steps, while an implementation that agrees with
the reference (an alternative that computes the same thing differently) is never told apart from it, and an
honest mistake that leaves training on course is charged by its own checks, not again here.
"""
from __future__ import annotations

import functools
import importlib
import statistics
import sys
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import numpy as np

from autograde import kit
from autograde.sandbox import proxy
from autograde.student import checks, registry
from autograde.student.checks import CheckFailure

#: Largest median relative difference (Frobenius norm of the difference over the reference's) between the
#: sampled calls' results and the reference's. Loose on purpose, so that a mistake is charged by its own checks
#: only: an honest mistake that leaves training on course stays below it (in softmax_mlp's catalogue, medians
#: over its sampled steps: an input gradient doubled 82%, a forward without its bias 33%, a bias gradient
#: averaged 12%); a result unrelated to the data does not (a stub's zeros 100%, a pull towards embedded
#: weights 154%), nor does a step uphill (200%). The median over the calls sampled so far, not one call's
#: difference, so that a verdict does not depend on which batches the sample drew.
TOLERANCE = 0.95
#: Share of the calls the reference also computes.
SAMPLED_SHARE = 1 / 16
#: Share of the calls of a whole epoch (the student's own loop over batches) the reference also computes: fewer
#: calls, each worth more, and each a whole epoch of the reference's time.
EPOCH_SHARE = 1 / 4
#: Seed of the sample (mixed with the grading's key at grading, as ``checks.input_rng`` does).
SAMPLE_SEED = 7919

#: ``compare(result, expected, args)``: the arrays of a call's result that training uses (or what they change of
#: the call's arguments ``args``), and the same of the reference's result.
Compare = Callable[[Any, Any, "tuple[Any, ...]"], "tuple[Sequence[np.ndarray], Sequence[np.ndarray]]"]


class Sample:
    """Which calls the reference also computes: each with probability ``share``, drawn from a generator the
    student's code never sees. One per accuracy check, shared by the functions it audits, so that steps are
    counted across them."""

    def __init__(self, share: float = SAMPLED_SHARE, seed: int = SAMPLE_SEED) -> None:
        self.share = share
        self.rng = checks.input_rng(seed)
        self.calls = 0
        #: The difference of each sampled call from the reference (``deviation``), in order.
        self.found: list[float] = []

    def draw(self) -> bool:
        self.calls += 1
        return bool(self.rng.random() < self.share)

    def judge(self, found: float, what: str) -> None:
        """Record the difference ``found`` of a sampled call (of ``what``) from the reference; raise StepDiffers
        when the median of the differences recorded so far is above ``TOLERANCE`` (the lower median, so that
        one batch's spike among two calls is not a majority)."""
        self.found.append(found)
        median = statistics.median_low(self.found)
        if median > TOLERANCE:
            raise StepDiffers(self.calls, what, median, len(self.found))


def deviation(results: Sequence[np.ndarray], expected: Sequence[np.ndarray]) -> float:
    """Relative difference of ``results`` from ``expected``: the norm of the difference over the norm of the
    expected arrays (as if concatenated). An array of another size, or not finite, differs by infinity; one of the
    same size and another shape is read in the expected shape."""
    difference = scale = 0.0
    for result, reference in zip(results, expected, strict=True):
        result, reference = np.asarray(result, dtype=np.float64), np.asarray(reference, dtype=np.float64)
        if result.shape != reference.shape:  # b as a row where the reference's is a vector, say
            if result.size != reference.size:
                return float("inf")
            result = result.reshape(reference.shape)
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
            expected = self.reference(*map(_local, args), **{key: _local(value) for key, value in kwargs.items()})
            self.sample.judge(deviation(*self.compare(result, expected, args)), f"{self.name}'s {self.what}")
        return result


def _local(value: Any) -> Any:
    """An argument as the reference takes it: an array kept in the sandbox as the grader's own copy."""
    return value.local if isinstance(value, proxy.Resident) else value


class StepDiffers(CheckFailure):
    """The sampled training calls whose results differ from the reference's on the same inputs."""

    def __init__(self, step: int, what: str, median: float, sampled: int) -> None:
        by = "more than any bound" if median == float("inf") else f"{median:.0%}"
        over = "the call" if sampled == 1 else f"the median of the {sampled} calls"
        super().__init__(f"at training step {step}: {what} differs from the reference's on the same inputs by {by} "
                         f"({over} the grader also computed with the reference so far; at most {TOLERANCE:.0%}): "
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


class Ahead:
    """Training's calls of the student's functions answered by a run of the same trainer in the sandbox, ahead of
    the grader's (``proxy.Run``): the sandbox computes the next calls while the grader checks the last ones, and no
    call waits for a request of its own. Trusted as much as calls made one by one: the grader's trainer holds the
    parameters, each answer is validated and audited (``Audit``) as a call's would be, and when the run in the
    sandbox strays from the grader's (another call, or its end), the grader makes the calls itself from there on.

    ``function(name)`` is the student's function of that name for ``Audit`` to wrap; ``running(function, ...)``
    calls the grader's trainer ``function`` with the run in the sandbox started beside it, until the block ends.
    ``given`` maps the names of the functions the grader's trainer takes from the reference (bound by ``provided``'s
    ``audited``) to what they return, so that the run in the sandbox starts from the same values. Where the
    student's code runs in this process (calibration), calls are made directly."""

    def __init__(self, student: Any, given: Mapping[str, Any] | None = None) -> None:
        self.student, self.given = student, dict(given or {})
        self.remote = isinstance(student, proxy.RemoteCode)
        self.streamed: list[str] = []
        self.run: proxy.Run | None = None

    def function(self, name: str) -> Callable[..., Any]:
        direct = getattr(self.student, name)  # a missing function fails the check here, as without a run
        if not self.remote:
            return cast(Callable[..., Any], direct)
        self.streamed.append(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.run is not None:
                try:
                    return self.run.next(name)
                except proxy.Diverged:
                    self.run = None
            return direct(*args, **kwargs)
        call.streamed = proxy.Streamed(name)  # type: ignore[attr-defined]  # what the run in the sandbox is given
        return call

    def call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``function(*args, **kwargs)`` with the same call run ahead in the sandbox (``running``), for a trainer
        that returns when it is done."""
        with self.running(function, *args, **kwargs) as result:
            return result

    @contextmanager
    def running(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Iterator[Any]:
        """``function(*args, **kwargs)`` (a trainer of a module ``provided`` loaded), with the same call run ahead in
        the sandbox; the run there stops when the block ends."""
        if self.remote and self.streamed:
            source = Path(function.__globals__["__file__"]).read_text()  # the module ``provided`` loaded
            self.run = proxy.Run(self.student, function.__module__, source, function.__name__,
                                 [_streamed(arg) for arg in args],
                                 {key: _streamed(value) for key, value in kwargs.items()}, self.streamed, self.given)
        try:
            yield function(*args, **kwargs)
        finally:
            if self.run is not None:
                self.run.end()
                self.run = None


def _streamed(argument: Any) -> Any:
    """An argument of a trainer as the run in the sandbox takes it: a function of ``Ahead.function``, audited or not,
    as the student's function whose calls it answers (``proxy.Streamed``); anything else as it is."""
    function = argument.function if isinstance(argument, Audit) else argument
    return getattr(function, "streamed", argument) if callable(function) else argument


class Steps:
    """Calls of methods of the student's objects that training makes in a row without looking at their results
    (forward, loss, backward, update): through the sandbox they cross in one request (``proxy.Pipeline``), sent
    by ``run``, whose answer is read with the next request (the next step's, or the grader's reading of the
    weights), so that the sandbox computes a step while the grader prepares the next; an error of a step is
    raised there. Objects of the grader's own (the reference at calibration) are called at once."""

    def __init__(self) -> None:
        self.pipeline = proxy.Pipeline()

    def call(self, target: Any, name: str, *args: Any) -> Any:
        if isinstance(target, proxy.RemoteObject):
            return self.pipeline.call(target, name, *args)
        return getattr(target, name)(*args)

    def run(self) -> None:
        self.pipeline.run(later=True)


def resident(student: Any, array: np.ndarray) -> Any:
    """``array`` (a training set) sent once to the sandbox when ``student``'s code runs there, so that training's
    calls name its rows instead of sending them (``proxy.Resident``); else ``array`` itself."""
    return student.keep(array) if isinstance(student, proxy.RemoteCode) else array


def changes(before: Sequence[Any], after: Sequence[Any], expected: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    """For ``Audit``'s ``compare`` of an update: what ``after`` changed of ``before``, and what ``expected`` did."""
    return ([np.asarray(new, dtype=np.float64) - old for new, old in zip(after, before)],
            [np.asarray(new, dtype=np.float64) - old for new, old in zip(expected, before)])
