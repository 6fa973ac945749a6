"""Import an assignment's modules from a folder, each on its own, so one broken file costs only its own checks.

Used by the notebook helper (``autograde.student``) and by the sandbox worker, where it runs
with the standard library only. Packages (``layers/__init__.py``) are set up empty first, so
``layers.relu_layer`` imports even when ``layers/fc_layer.py`` does not. Order: the packages'
modules, then their ``__init__``, then the top-level modules, which may use the packages.
"""
from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import re
import sys
import traceback
from collections.abc import Iterable, Sequence
from types import ModuleType
from typing import Any


def module_path(code_dir: str, name: str, package: bool = False) -> str:
    parts = name.split(".")
    return os.path.join(code_dir, *parts, "__init__.py") if package else os.path.join(code_dir, *parts) + ".py"


def load(code_dir: str, modules: Sequence[str]) -> tuple[dict[str, ModuleType], dict[str, BaseException]]:
    """Import ``modules`` (dotted names) from ``code_dir``.

    Returns ``(loaded, errors)``: the modules that imported, by name, and for each module that
    did not, the exception it raised (a missing file raises FileNotFoundError naming it).
    """
    code_dir = os.path.abspath(code_dir)
    if code_dir not in sys.path:
        sys.path.insert(0, code_dir)
    packages = [m for m in modules if os.path.isfile(module_path(code_dir, m, package=True))]
    loaded: dict[str, ModuleType] = {}
    errors: dict[str, BaseException] = {}
    for name in packages:
        init = module_path(code_dir, name, package=True)
        spec = importlib.util.spec_from_file_location(name, init, submodule_search_locations=[os.path.dirname(init)])
        assert spec is not None and spec.loader is not None  # a .py file's location always has a spec and a loader
        sys.modules[name] = loaded[name] = importlib.util.module_from_spec(spec)
    inside = [m for m in modules if m not in packages and "." in m]
    outside = [m for m in modules if m not in packages and "." not in m]
    for name in inside:  # the packages' modules first, then their __init__, then the rest
        _import(code_dir, name, loaded, errors)
    for name in packages:
        spec = loaded[name].__spec__
        assert spec is not None and spec.loader is not None  # set up by module_from_spec above
        try:
            spec.loader.exec_module(loaded[name])
        except BaseException as error:  # noqa: BLE001 - SystemExit at import is the student's too
            errors[name] = error
    for name in outside:
        _import(code_dir, name, loaded, errors)
    return {n: m for n, m in loaded.items() if n not in errors}, errors


def _import(code_dir: str, name: str, loaded: dict[str, ModuleType], errors: dict[str, BaseException]) -> None:
    path = module_path(code_dir, name)
    if not os.path.isfile(path):
        errors[name] = FileNotFoundError(f"the submission has no {os.path.relpath(path, code_dir)}")
        return
    try:
        loaded[name] = importlib.import_module(name)
    except BaseException as error:  # noqa: BLE001 - SystemExit at import is the student's too
        errors[name] = error


def describe(error: BaseException, code_dir: str) -> dict[str, Any]:
    """What ``error`` (raised by the code in ``code_dir``) says, as plain data that crosses the sandbox's pipe:
    ``type``, ``message`` (``Type: text``), ``where`` (``line 3 of layers/fc_layer.py``: the innermost line of
    the code's own files, or the line a SyntaxError names) and ``frames``, the code's own lines from the
    outermost in (``[file, line, function]``, files relative to ``code_dir``)."""
    code_dir = os.path.abspath(code_dir)
    try:
        text = str(error)[:1000]
    except BaseException:  # noqa: BLE001 - an exception whose str() fails
        text = "(its message could not be printed)"
    frames: list[list[Any]] = [[os.path.relpath(frame.filename, code_dir), frame.lineno, frame.name]
              for frame in traceback.extract_tb(error.__traceback__)
              if frame.filename.startswith(code_dir + os.sep)]
    if (isinstance(error, SyntaxError) and error.filename is not None
            and str(error.filename).startswith(code_dir + os.sep)):
        frames.append([os.path.relpath(error.filename, code_dir), error.lineno or 0, "<module>"])
        text = f"{error.msg}"[:1000]
    where = f"line {frames[-1][1]} of {frames[-1][0]}" if frames else ""
    return {"type": type(error).__name__, "message": f"{type(error).__name__}: {text}", "where": where,
            "frames": frames}


def signature(value: Any, name: str) -> str | None:
    """``MiniBatchGD(X, Y, y, GDparams, W, b, lamda, X_val=None)``: how ``value`` (the student's function, class or
    method, called ``name``: ``FCLayer.forward``) is defined, as its caller sees it (a method without self);
    None where Python cannot say."""
    try:
        found = inspect.signature(value)
    except (TypeError, ValueError):
        return None
    parameters = list(found.parameters.values())
    if parameters and parameters[0].name == "self" and "." in name and not name.endswith(".__init__"):
        found = found.replace(parameters=parameters[1:])
    shown = name[: -len(".__init__")] if name.endswith(".__init__") else name
    return shown + str(found)


#: Python's words when a call cannot bind its arguments: ``MiniBatchGD() missing 1 required positional argument``.
BINDING = re.compile(r"^(?:TypeError: )?(?P<name>[\w.]+)\(\) (?:missing \d+ required|takes |got an unexpected keyword"
                     r"|got multiple values|got some positional-only)")


def bound_signature(error: BaseException, modules: Iterable[ModuleType]) -> str | None:
    """How the student defined the function whose call raised ``error``, when the error is Python failing to bind
    the call's arguments (the function never started); None for any other error. ``modules``: the student's."""
    match = BINDING.match(str(error)) if isinstance(error, TypeError) else None
    if match is None:
        return None
    name = match.group("name")
    top, _, rest = name.partition(".")
    value = next((getattr(m, top) for m in modules if hasattr(m, top)), None)
    if value is not None and rest and rest != "__init__":
        value = getattr(value, rest, None)
    if value is None:
        return None
    started = {getattr(getattr(value, "__init__", value), "__code__", None), getattr(value, "__code__", None)} - {None}
    if any(frame.f_code in started for frame, _ in traceback.walk_tb(error.__traceback__)):
        return None  # raised inside the function: its own TypeError, not the call's
    return signature(value, name)
