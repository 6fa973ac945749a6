"""Numeric gradients and the verdicts that compare them with analytic ones.

The one gradient-checking module of the kit: notebooks, public checks and hidden checks all
use it. Everything is float64; a verdict names the parameter, the worst index, both values
and the relative error, so nobody has to eyeball a number.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

#: Step of the centred difference (f(x+h) - f(x-h)) / 2h. In float64 its truncation and
#: round-off errors are both around 1e-10 for the losses of this course.
STEP = 1e-5
#: Largest relative error accepted between an analytic and a numeric gradient entry.
RELATIVE_TOLERANCE = 1e-5
#: Largest relative error accepted for values that can be computed exactly (a forward pass, a loss,
#: an update): only round-off separates a correct result from the expected one.
EXACT_TOLERANCE = 1e-6
#: The same for forward differences (f(x+h) - f(x)) / h: their truncation error is O(h), not O(h^2),
#: so entries near zero reach relative errors around 1e-3 even when the analytic gradient is right.
FORWARD_RELATIVE_TOLERANCE = 1e-2
#: Floor of the denominator of the relative error, so that two near-zero entries agree.
RELATIVE_ERROR_FLOOR = 1e-8
#: Against a numeric gradient, entries far smaller than the largest are compared on this share of the largest:
#: a centred difference carries absolute errors of about 1e-11 (round-off over the step), so an entry of 3e-7,
#: right to the last digit, shows a relative error near 1e-4. The mistakes the checks look for are far larger.
NUMERIC_SCALE = 1e-4
#: Largest relative error accepted for a value computed in single precision (float32): every
#: operation rounds it by up to 6e-8, and a sum of many terms or scores near 1000 lose more, so a
#: correct float32 result misses RELATIVE_TOLERANCE. The mistakes the checks look for (factors,
#: signs, missing terms) are far larger.
SINGLE_PRECISION_TOLERANCE = 1e-3
#: For a float32 value, entries far smaller than the largest are compared on this share of the
#: largest: summed from terms of that size, they carry absolute errors of that order.
SINGLE_PRECISION_SCALE = 1e-3


def relative_error(analytic: ArrayLike, numeric: ArrayLike, floor: float = RELATIVE_ERROR_FLOOR
                   ) -> NDArray[np.float64]:
    """Entrywise ``|a - n| / max(floor, |a| + |n|)``, the courses' relative error."""
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    errors: NDArray[np.float64] = np.abs(analytic - numeric) / np.maximum(floor, np.abs(analytic) + np.abs(numeric))
    return errors


def numeric_gradient(function: Callable[[NDArray[np.float64]], float], x: ArrayLike, step: float = STEP
                     ) -> NDArray[np.float64]:
    """Centred-difference gradient of the scalar ``function`` at ``x``.

    ``function`` receives a float64 copy of ``x`` with one entry moved; ``x`` itself is
    never modified.
    """
    point = np.array(x, dtype=np.float64)
    gradient: NDArray[np.float64] = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + step
        above = float(function(point.copy()))
        point[index] = original - step
        below = float(function(point.copy()))
        point[index] = original
        gradient[index] = (above - below) / (2 * step)
    return gradient


def numeric_gradients(function: Callable[..., float], step: float = STEP, **arguments: ArrayLike
                      ) -> dict[str, NDArray[np.float64]]:
    """The numeric gradient of the scalar ``function(**arguments)`` with respect to each of ``arguments`` (name ->
    array), the others held at their values, in their order: every parameter of a function against its numeric
    gradient in one call (``numeric_gradients(lambda W, b: loss(W, b, x), W=W, b=b)``)."""
    def moved(name: str) -> Callable[[NDArray[np.float64]], float]:
        """``function`` of the argument ``name`` alone, the others held at their values."""
        return lambda value: function(**{**arguments, name: value})

    return {name: numeric_gradient(moved(name), point, step) for name, point in arguments.items()}


def backward_gradients(forward: Callable[..., np.ndarray], upstream: np.ndarray, step: float = STEP,
                       **arguments: ArrayLike) -> dict[str, NDArray[np.float64]]:
    """What a layer's backward pass returns for the gradient ``upstream`` of its output: the numeric gradients of
    ``sum(forward(**arguments) * upstream)`` with respect to each of ``arguments`` (``numeric_gradients``)."""
    return numeric_gradients(lambda **values: float(np.sum(forward(**values) * upstream)), step, **arguments)


@dataclass(frozen=True)
class Expected:
    """Where an expected value came from: ``label`` names it in a verdict ("numeric", "reference", ...), and
    ``numeric`` says it is a numeric gradient (finite differences), whose entries carry absolute errors of about
    ``NUMERIC_SCALE`` times the largest: entries far smaller than that are compared on that share of the largest.
    Only ``numeric`` changes how values are compared; a label never does."""

    label: str
    numeric: bool = False

    def __str__(self) -> str:
        return self.label


#: A numeric gradient of the student's own function, and one of the reference's.
NUMERIC = Expected("numeric", numeric=True)
REFERENCE_NUMERIC = Expected("reference's numeric", numeric=True)
#: A value computed exactly: by the reference, or written out by the check.
REFERENCE = Expected("reference")
EXPECTED = Expected("expected")


def expected_of(source: Expected | str) -> Expected:
    """``source`` as an Expected: a plain label is a value computed exactly (never a numeric gradient)."""
    return source if isinstance(source, Expected) else Expected(source)


@dataclass(frozen=True)
class GradientVerdict:
    """Outcome of comparing an analytic gradient with a numeric one."""

    name: str
    passed: bool
    worst_index: tuple[int, ...]
    analytic: float
    numeric: float
    error: float
    tolerance: float
    expected_label: str = "numeric"
    single_precision: bool = False  # the analytic value was float32, compared with SINGLE_PRECISION_TOLERANCE

    def message(self) -> str:
        where = f"{self.name}{list(self.worst_index)}"
        if self.passed:
            return (f"{self.name} matches the {self.expected_label} value "
                    f"(largest relative error {self.error:.1e} at {where})")
        precision = ", for your float32 values" if self.single_precision else ""
        return (
            f"{self.name} is wrong at {where}: yours {self.analytic:.6g}, {self.expected_label} "
            f"{self.numeric:.6g}, relative error {self.error:.1e} (tolerance {self.tolerance:.0e}{precision})"
        )

    def raise_if_failed(self) -> None:
        if not self.passed:
            raise AssertionError(self.message())


def compare(name: str, analytic: ArrayLike, numeric: ArrayLike, tolerance: float = RELATIVE_TOLERANCE,
            source: Expected | str = NUMERIC) -> GradientVerdict:
    """Verdict on ``analytic`` against ``numeric`` (same shape), naming the worst entry.

    ``source`` says where ``numeric`` came from (``Expected``): its label names it in the message, and a
    numeric gradient's small entries are compared on ``NUMERIC_SCALE`` times its largest. A float32
    ``analytic`` is held to float32's precision (SINGLE_PRECISION_TOLERANCE and SINGLE_PRECISION_SCALE) when
    that is looser than ``tolerance``.
    """
    source = expected_of(source)
    single_precision = np.asarray(analytic).dtype == np.float32
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    if analytic.shape != numeric.shape:
        raise ValueError(f"{name} has shape {analytic.shape}, expected {numeric.shape}")
    floor = RELATIVE_ERROR_FLOOR
    if source.numeric:
        floor = max(floor, NUMERIC_SCALE * float(np.abs(numeric[np.isfinite(numeric)]).max(initial=0.0)))
    if single_precision and tolerance < SINGLE_PRECISION_TOLERANCE:
        tolerance = SINGLE_PRECISION_TOLERANCE
        finite = np.abs(numeric[np.isfinite(numeric)])
        floor = max(floor, SINGLE_PRECISION_SCALE * float(finite.max(initial=0.0)))
    else:
        single_precision = False
    errors = relative_error(analytic, numeric, floor)
    if not np.all(np.isfinite(errors)):
        errors = np.where(np.isfinite(errors), errors, np.inf)
    index = np.unravel_index(int(np.argmax(errors)), errors.shape) if errors.size else ()
    worst = tuple(int(i) for i in index)
    error = float(errors[worst]) if errors.size else 0.0
    return GradientVerdict(
        name=name,
        passed=bool(error <= tolerance),
        worst_index=worst,
        analytic=float(analytic[worst]) if errors.size else 0.0,
        numeric=float(numeric[worst]) if errors.size else 0.0,
        error=error,
        tolerance=tolerance,
        expected_label=source.label,
        single_precision=single_precision,
    )


def check_gradient(name: str, function: Callable[[NDArray[np.float64]], float], x: ArrayLike, analytic: ArrayLike,
                   tolerance: float = RELATIVE_TOLERANCE, step: float = STEP) -> GradientVerdict:
    """Compare ``analytic`` with the numeric gradient of ``function`` at ``x``."""
    return compare(name, analytic, numeric_gradient(function, x, step), tolerance, NUMERIC)


def expect_close(got: ArrayLike, expected: ArrayLike, name: str, where: str = "", hint: str | None = None,
                 label: Expected | str = EXPECTED, tolerance: float = EXACT_TOLERANCE) -> None:
    """Raise CheckFailure unless ``got`` matches ``expected``: the verdict names the worst entry of ``name``,
    both values and the relative error, then ``where`` (the shapes, the inputs); ``hint`` names the likely
    mistake. ``label`` says where ``expected`` came from (``Expected``: EXPECTED, NUMERIC, REFERENCE_NUMERIC, ...)."""
    from autograde.student.checks import CheckFailure

    verdict = compare(name, got, expected, tolerance=tolerance, source=label)
    if not verdict.passed:
        raise CheckFailure(f"{verdict.message()} {where}".rstrip(), hint)


def is_close(got: ArrayLike | None, expected: ArrayLike | None, tolerance: float = EXACT_TOLERANCE) -> bool:
    """Whether ``got`` has ``expected``'s shape and matches it (None matches nothing)."""
    return (got is not None and expected is not None and np.shape(got) == np.shape(expected)
            and compare("", got, expected, tolerance=tolerance).passed)
