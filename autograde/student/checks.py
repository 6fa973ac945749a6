"""Checks: plain functions with metadata that grade a student's code.

A check receives ``student``, a module-like object whose attributes are the functions and
classes of the student's modules for the assignment, and returns a Result or raises
CheckFailure. It never trusts a value from the student's code without validating it
(see ``validate``). The same check runs in the student's notebook (public checks, for
feedback) and in the autograder, outside the notebook (public and hidden, for the grade).

Each check belongs to a *group*: the nbgrader grade cell (grade_id) that reports it. A check is
declared once, with ``@check(group, points)`` in its assignment's ``public`` or ``hidden`` module;
its points are read from there by everything else (the release writes them into the notebook).
"""
from __future__ import annotations

import contextlib
import contextvars
import hashlib
import hmac
import importlib
import importlib.util
import re
import traceback
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, TypeVar

import numpy as np

from autograde.student import imports, loader, registry, signatures
from autograde.student.spec import ASSIGNMENTS_PACKAGE, Call, module_file


#: At grading, the key of the grading (``fresh_inputs``): every check's random inputs depend on it. None in a
#: notebook. A context variable: set for the block of one grading, in the thread (or task) that runs it.
_KEY: contextvars.ContextVar[int | None] = contextvars.ContextVar("dlkit_grading_key", default=None)


def input_rng(seed: int) -> np.random.Generator:
    """The random generator a check draws its inputs from.

    In a notebook it depends on ``seed`` alone, so a student sees the same inputs every time; at
    grading it also depends on the grading's key (``fresh_inputs``), so outputs recorded from the
    released checks answer nothing there.
    """
    key = _KEY.get()
    return np.random.default_rng(seed if key is None else [seed, key])


def fresh_seed(seed: int) -> int:
    """A seed a check passes to the student's code (``init_params(..., seed)``): ``seed`` in a notebook, one
    drawn with the grading's key at grading, for the same reason as ``input_rng``."""
    return seed if _KEY.get() is None else int(input_rng(seed).integers(2 ** 31))


@contextlib.contextmanager
def fresh_inputs(key: int | None) -> Iterator[None]:
    """Within the block, checks draw their inputs with ``key``, one grading's (``grading_key``); None: the
    notebook's inputs."""
    token = _KEY.set(key)
    try:
        yield
    finally:
        _KEY.reset(token)


def grading_key(secret: int, nonce: str) -> int:
    """The key one grading draws its inputs with: HMAC-SHA256 of the grading's ``nonce`` (``runner.inputs_nonce``,
    a digest of the files graded) under the course's ``secret``, cut to 63 bits. Inputs one grading showed hold
    for no other; whoever sees a key (a grading host) learns neither the secret nor another grading's key."""
    return int.from_bytes(hmac.new(str(secret).encode(), nonce.encode(), hashlib.sha256).digest()[:8], "big") >> 1


#: The message of every check whose code still raises NotImplementedError: a part not attempted yet.
NOT_IMPLEMENTED = "not implemented yet: the code still raises NotImplementedError"


class CheckFailure(Exception):
    """Raised by a check, with a message that says what was expected, what came back and where."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class NotRun(Exception):
    """A check that could not run: files it needs did not import (``autograde.student.imports``). Not a
    CheckFailure, which checks catch to add detail: nothing is added to "did not import"."""

    def __init__(self, files: Iterable[str]) -> None:
        self.files = tuple(files)
        self.message = imports.not_run(self.files)
        super().__init__(self.message)


@dataclass(frozen=True)
class Result:
    fraction: float  # of the check's points, in [0, 1]
    message: str
    hint: str | None = None
    #: The files whose import failed and kept this check from running (its message says so in one line).
    did_not_import: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.fraction >= 1.0


#: What a check is: a function of the student's code (``StudentCode`` or the sandbox's proxy of it) that returns a
#: Result, or None when it passed.
CheckFunction = Callable[[Any], "Result | None"]
_Declared = TypeVar("_Declared", bound=CheckFunction)


@dataclass(frozen=True)
class Check:
    id: str
    assignment: str
    group: str
    points: float
    hidden: bool
    function: CheckFunction = field(repr=False, compare=False)
    #: An accuracy check's bar (``autograde.grading.calibration.Bar``): how it trains, for calibration.
    bar: object | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        """The check's function name: what it verifies, as words (``prediction_is_argmax_of_scores``)."""
        return self.function.__name__

    @property
    def description(self) -> str:
        """First line of the check's docstring: what it verifies, as a sentence."""
        return (self.function.__doc__ or self.id).strip().splitlines()[0]

    def run(self, student: Any) -> Result:
        """Run the check; any failure of the student's code becomes a failed Result."""
        try:
            outcome = self.function(student)
        except NotRun as failure:
            return Result(0.0, failure.message, did_not_import=failure.files)
        except CheckFailure as failure:
            return Result(0.0, failure.message, failure.hint)
        except NotImplementedError:
            return Result(0.0, NOT_IMPLEMENTED)
        except Exception as error:  # noqa: BLE001 - a student's bug must not stop grading
            blocked = student.blocked_by(error) if hasattr(student, "blocked_by") else ()
            if blocked:  # raised by importing a file that did not import (a provided trainer imports it late)
                return Result(0.0, imports.not_run(blocked), did_not_import=blocked)
            explain = getattr(student, "explain", None)
            mismatch, hint = explain(error) if explain else (None, None)
            if mismatch:
                return Result(0.0, mismatch)
            description = describe_exception(error)
            return Result(0.0, description, exception_hint(description) or hint)
        if outcome is None:
            return Result(1.0, self.description)
        if not isinstance(outcome, Result):
            raise TypeError(f"check {self.id} returned {type(outcome).__name__}, expected Result or None")
        return outcome


def describe_exception(error: BaseException) -> str:
    """``TypeError: ... (line 12 of softmax_classifier.py)``: where the student's code failed.

    Errors that arrive from the sandbox already carry their ``description``.
    """
    description = getattr(error, "description", None)
    if isinstance(description, str):
        return description
    frames = traceback.extract_tb(error.__traceback__)
    student_frames = [f for f in frames if "autograde" not in f.filename.replace("\\", "/").split("/")
                      and not f.filename.startswith("<")]
    where = ""
    if student_frames:
        frame = student_frames[-1]
        where = f" (line {frame.lineno} of {frame.filename.replace(chr(92), '/').rsplit('/', 1)[-1]})"
    return f"your code raised {type(error).__name__}: {error}{where}"


def exception_hint(description: str) -> str | None:
    """The likely mistake behind an error numpy raised in the student's code, when it is a known one."""
    if "arrays used as indices must be of integer" in description:
        return ("An array of floats was used as an index: one-hot labels (N, C) are not class indices; "
                "np.argmax(label, axis=1) gives the indices.")
    if "matmul" in description and "mismatch in its core dimension" in description:
        return "A matrix product got operands whose inner sizes differ: is a transpose missing, or one too many?"
    bounds = re.search(r"index (\d+) is out of bounds for axis \d+ with size (\d+)", description)
    if bounds:
        return (f"An index ran past the end of an axis of size {bounds.group(2)}: is a size hard-coded, such as "
                f"the notebook's 10 classes? The checks use other sizes: take each one from the shape of an array "
                f"your code is given (the classes from the weights' or the labels', the batch size from the input's).")
    shapes = re.search(r"could not be broadcast together with shapes \((\d+),\) \((\d+),\d+\)", description) or \
        re.search(r"could not be broadcast together with shapes \((\d+),\d+\) \((\d+),\)", description)
    if shapes and shapes.group(1) == shapes.group(2):
        return ("A vector of N values met an (N, C) array: are class indices (N,) used where one-hot rows (N, C) "
                "belong, or the other way round?")
    return None


_REGISTRY: dict[tuple[str, str], Check] = {}


def assignment_of_module(module: str) -> str:
    """``autograde.assignments.softmax_mlp.public.layers`` -> ``softmax_mlp``."""
    prefix = ASSIGNMENTS_PACKAGE + "."
    if not module.startswith(prefix):
        raise ValueError(f"checks are declared in {ASSIGNMENTS_PACKAGE}.<assignment>, not in {module}")
    return module[len(prefix):].split(".")[0]


def check(group: str, points: float, hidden: bool = False) -> Callable[[_Declared], _Declared]:
    """Declare the decorated function a check reported in grade cell ``group``, worth ``points``.

    The assignment is the one whose folder holds the function's module.
    """

    def declare(function: _Declared) -> _Declared:
        register(Check(f"{group}.{function.__name__}", assignment_of_module(function.__module__), group,
                       float(points), hidden, function))
        return function

    return declare


def register(made: Check) -> None:
    """Add ``made`` to the checks of its assignment (``check`` and the grader's accuracy checks call it)."""
    _REGISTRY[(made.assignment, made.id)] = made


def load(assignment: str, hidden: bool = True) -> list[Check]:
    """Every check of ``assignment``; hidden ones only when asked for and installed."""
    spec = registry.get(assignment)
    importlib.import_module(spec.public_checks)
    if hidden and hidden_checks_installed(assignment):
        importlib.import_module(spec.hidden_checks)
    return [c for (owner, _), c in _REGISTRY.items() if owner == assignment and (hidden or not c.hidden)]


def module_installed(module: str) -> bool:
    """Whether ``module`` can be imported here (a release lacks hidden checks and other assignments)."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its package is missing too
        return False


def hidden_checks_installed(assignment: str) -> bool:
    """False in a student's release, which ships without hidden checks."""
    return module_installed(registry.get(assignment).hidden_checks)


def public_checks_installed(assignment: str) -> bool:
    """False for the other assignments in a student's release, which ships its own checks only."""
    return module_installed(registry.get(assignment).public_checks)


def groups(checks: list[Check]) -> dict[str, list[Check]]:
    grouped: dict[str, list[Check]] = {}
    for item in checks:
        grouped.setdefault(item.group, []).append(item)
    return grouped


def not_found(name: str, modules: Iterable[str], failed_files: Collection[str]) -> Exception:
    """The failure of a check that needs ``name``: where it was looked for; when files did not import, a NotRun
    naming them (the files' findings are reported once, above the checks)."""
    if failed_files:
        return NotRun(failed_files)
    return CheckFailure(f"{name} is not defined in {', '.join(module_file(m) for m in modules)}")


class StudentCode:
    """The student's modules seen as one namespace: ``student.softmax_classifier(...)``.

    ``import_failures``: file -> the finding of each file that did not import (``autograde.student.imports``).
    """

    def __init__(self, modules: Mapping[str, ModuleType], provided: Mapping[str, ModuleType] | None = None,
                 import_failures: dict[str, str] | None = None, student_modules: tuple[str, ...] | None = None,
                 folder: str | None = None, calls: tuple[Call, ...] = ()) -> None:
        self._modules = modules
        self._provided = provided or {}
        self.import_failures = import_failures or {}
        self._student_modules = student_modules or tuple(modules)
        self._folder = folder
        self._calls = calls

    def blocked_by(self, error: Exception) -> tuple[str, ...]:
        """The files that did not import whose import raised ``error`` again (``imports.blocked_by``)."""
        if self._folder is None:
            return ()
        return imports.blocked_by(loader.describe(error, self._folder), self.import_failures)

    def explain(self, error: Exception) -> tuple[str | None, str | None]:
        """What an error of the student's code says about its arguments (``autograde.student.signatures``): (the
        message of a call the student's signature cannot take, else None; a hint naming the declared call, else
        None)."""
        if self._folder is None:
            return None, None
        return signatures.explain(loader.describe(error, self._folder),
                                  loader.bound_signature(error, self._modules.values()), self._student_modules,
                                  self._calls)

    def provided(self, module: str) -> ModuleType:
        """A provided module of the assignment, as loaded beside the student's."""
        if module not in self._provided and self.import_failures:
            raise NotRun(self.import_failures)
        return self._provided[module]

    def __getattr__(self, name: str) -> Any:
        for module in self._modules.values():
            if hasattr(module, name):
                return getattr(module, name)
        raise not_found(name, self._student_modules, self.import_failures)
