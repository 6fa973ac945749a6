"""Validate what the student's code returned before any check uses it.

Each function returns a clean value or raises CheckFailure naming the value, what was expected
and what came back. Arrays come back as float64, except float32 ones, which stay float32 so that
``gradcheck.compare`` holds them to float32's precision rather than to float64's.
"""
from __future__ import annotations

import numbers

import numpy as np

from autograde.student.checks import CheckFailure


def type_name(value) -> str:
    """The type of ``value`` as the student wrote it (objects from the sandbox say their own)."""
    describe = getattr(type(value), "describe_type", None)
    return describe(value) if describe else type(value).__name__


def scalar(value, name: str, finite: bool = True) -> float:
    """A real number: Python int/float, numpy scalar or a 0-d/1-element array."""
    if isinstance(value, (bool, np.bool_)):
        raise CheckFailure(f"{name} must be a number, got a bool")
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


def array(value, name: str, shapes, kinds: str = "f", finite: bool = True) -> np.ndarray:
    """A numpy array of one of ``shapes`` (a shape or a list of shapes) with dtype kind in ``kinds``."""
    allowed = [tuple(shapes)] if shapes and isinstance(shapes[0], int) else [tuple(s) for s in shapes]
    if not isinstance(value, np.ndarray):
        raise CheckFailure(f"{name} must be a numpy array, got {type_name(value)}")
    if value.shape not in allowed:
        expected = " or ".join(str(s) for s in allowed)
        raise CheckFailure(f"{name} must have shape {expected}, got {value.shape}")
    if value.dtype.kind not in kinds:
        wanted = {"f": "floating-point", "i": "integer", "u": "unsigned integer"}
        kind = " or ".join(wanted.get(k, k) for k in kinds)
        raise CheckFailure(f"{name} must have a {kind} dtype, got {value.dtype}")
    if finite and value.dtype.kind == "f" and not np.all(np.isfinite(value)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(value))[0])
        raise CheckFailure(f"{name} is not finite: {name}{list(bad)} = {value[bad]}")
    if value.dtype.kind != "f":
        return value
    return value.astype(np.float32 if value.dtype == np.float32 else np.float64)  # a copy the student cannot change


def sequence(value, name: str, length: int) -> tuple:
    if not isinstance(value, (tuple, list)) or len(value) != length:
        got = f"a {type(value).__name__} of length {len(value)}" if isinstance(value, (tuple, list)) else type_name(value)
        raise CheckFailure(f"{name} must return {length} values, got {got}")
    return tuple(value)
