"""Validate what the student's code returned before any check uses it.

Each function returns a clean value or raises CheckFailure naming the value, what was expected
and what came back. Arrays come back as float64, except float32 ones, which stay float32 so that
``gradcheck.compare`` holds them to float32's precision rather than to float64's.
"""
from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator, Sequence
from typing import Any, cast

import numpy as np

from autograde.student.checks import CheckFailure


def plain(value: Any) -> Any:
    """An ndarray subclass (np.matrix, a masked array) as the plain ndarray of its values; anything else as is.
    Its operators would mean something else in a check (``*`` is a matrix product for np.matrix)."""
    return np.asarray(value) if isinstance(value, np.ndarray) and type(value) is not np.ndarray else value


def type_name(value: object) -> str:
    """The type of ``value`` as the student wrote it (objects from the sandbox say their own)."""
    describe: Callable[[object], str] | None = getattr(type(value), "describe_type", None)
    return describe(value) if describe else type(value).__name__


def scalar(value: Any, name: str, finite: bool = True) -> float:
    """A real number: Python int/float, numpy scalar or a 0-d/1-element array."""
    if isinstance(value, (bool, np.bool_)):
        raise CheckFailure(f"{name} must be a number, got a bool")
    value = plain(value)
    if isinstance(value, np.ndarray):
        if value.size != 1 or value.dtype.kind not in "fiu":
            raise CheckFailure(f"{name} must be a single number, got an array of shape {value.shape} and dtype {value.dtype}")
        value = value.reshape(())[()]
    if not isinstance(value, numbers.Real):
        raise CheckFailure(f"{name} must be a number, got {type_name(value)}")
    number = float(value)
    if finite and not np.isfinite(number):
        raise CheckFailure(f"{name} is {number}, expected a finite number")
    return number


def _from_list(value: Any) -> Any:
    """A Python list of numbers (or of lists of numbers) as the numpy array it spells; anything else as is."""
    if not isinstance(value, list):
        return value
    try:
        converted = np.asarray(value)
    except (ValueError, TypeError):  # ragged
        return value
    return converted if converted.dtype.kind in "fiub" else value


def array(value: Any, name: str, shapes: Sequence[int] | Sequence[Sequence[int]], kinds: str = "f",
          finite: bool = True) -> np.ndarray:
    """A numpy array of one of ``shapes`` (a shape or a list of shapes) with dtype kind in ``kinds``."""
    allowed = ([tuple(cast("Sequence[int]", shapes))] if shapes and isinstance(shapes[0], int)
               else [tuple(s) for s in cast("Sequence[Sequence[int]]", shapes)])
    value = _from_list(plain(value))
    if not isinstance(value, np.ndarray):
        raise CheckFailure(f"{name} must be a numpy array, got {type_name(value)}")
    if value.shape not in allowed:
        expected = " or ".join(str(s) for s in allowed)
        raise CheckFailure(f"{name} must have shape {expected}, got {value.shape}")
    if value.dtype.kind not in kinds:
        wanted = {"f": "floating-point", "i": "integer", "u": "unsigned integer"}
        kind = " or ".join(wanted.get(k, k) for k in kinds)
        raise CheckFailure(f"{name} must have {'an' if kind[0] in 'aeiou' else 'a'} {kind} dtype, got {value.dtype}")
    if finite and value.dtype.kind == "f" and not np.all(np.isfinite(value)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(value))[0])
        raise CheckFailure(f"{name} is not finite: {name}{list(bad)} = {value[bad]}")
    if value.dtype.kind != "f":
        return value
    return value.astype(np.float32 if value.dtype == np.float32 else np.float64)  # a copy the student cannot change


def labels(value: object, name: str, count: int) -> np.ndarray:
    """``count`` class indices as an int64 array of shape (count,): an array (or an ndarray subclass such as
    np.matrix) of shape (count,) or (count, 1), of integers or of floats that hold whole numbers."""
    value = array(value, name, [(count,), (count, 1)], kinds="iuf", finite=True).reshape(count)
    if value.dtype.kind == "f":
        fractional = np.flatnonzero(value != np.round(value))
        if fractional.size:
            n = int(fractional[0])
            raise CheckFailure(f"{name} must hold class indices (whole numbers), got {name}[{n}] = {value[n]}")
    return value.astype(np.int64)


def attribute(owner: Any, name: str, who: str, after: str, setter: str) -> Any:
    """``owner.name``, an attribute the student's code was to set. When it is missing, a CheckFailure that
    says so and where it must be set ("after SGD.step(model), layer 0 has no diff_W: step() must set it"),
    rather than an error the grader raised while reading it."""
    try:
        return getattr(owner, name)
    except AttributeError:
        raise CheckFailure(f"after {after}, {who} has no {name}: {setter} must set it") from None


def sequence(value: Any, name: str, length: int) -> tuple[Any, ...]:
    if not isinstance(value, (tuple, list)) or len(value) != length:
        got = f"a {type(value).__name__} of length {len(value)}" if isinstance(value, (tuple, list)) else type_name(value)
        raise CheckFailure(f"{name} must return {length} values, got {got}")
    return tuple(value)


class Outputs:
    """What one call of the student's code returned (a tuple), each output validated when a check reads it,
    so that a check grades only the outputs it uses: a loss of the wrong type costs the loss checks and
    never the gradient ones. ``Outputs(returned, "loss_and_gradients", loss=scalar_check, dW=array_check)``
    names the outputs in order; ``outputs.dW`` is the validated dW, or raises the CheckFailure its validator
    raised. Unpacking (``loss, dW = outputs``) validates every output, for a check that grades them all."""

    def __init__(self, returned: Any, name: str, **validators: Callable[[Any], Any]) -> None:
        self._values = dict(zip(validators, sequence(returned, name, len(validators))))
        self._validators = validators
        self._checked: dict[str, Any] = {}

    def __getattr__(self, output: str) -> Any:
        if output.startswith("_") or output not in self._validators:
            raise AttributeError(output)
        if output not in self._checked:
            self._checked[output] = self._validators[output](self._values[output])
        return self._checked[output]

    def __iter__(self) -> Iterator[Any]:
        return (getattr(self, output) for output in self._validators)
