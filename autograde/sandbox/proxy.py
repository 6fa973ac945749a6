"""The student's code as the grader sees it: functions and objects that live in the sandbox.

``RemoteCode`` looks like the student's modules (``code.softmax_classifier(W, ...)``), but
every call crosses to the sandbox as ``wire`` data and every result comes back as plain
numbers, strings, tuples, lists, dicts and fresh numpy arrays; anything else stays in the
sandbox and is represented here by a ``RemoteObject`` (a layer instance, say). The grader
never imports student code.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from autograde.sandbox import wire
from autograde.sandbox.process import Sandbox, SandboxError
from autograde.student import imports, signatures
from autograde.student.checks import NotRun, not_found
from autograde.student.spec import Call, module_file, module_name


class StudentError(Exception):
    """The student's code raised an exception inside the sandbox."""

    def __init__(self, error: dict[str, Any]) -> None:
        self.error = error
        self.type = error.get("type", "")
        where = f" ({error['where']})" if error.get("where") else ""
        if error.get("type") == "WireError":  # raised while sending the result, not by the student's code
            message = error["message"].removeprefix("WireError: ")
            self.description = f"your code returned a value the grader cannot take: {message}"
        else:
            self.description = f"your code raised {error['message']}{where}"
        super().__init__(self.description)


def _answer(sandbox: Sandbox, header: Mapping[str, Any], buffers: list[wire.Chunk]) -> Any:
    """Send ``header``; return the decoded answer or raise what the student's code raised."""
    response, response_buffers = sandbox.request(header, buffers)
    return _decoded(sandbox, header, response, response_buffers)


def _decoded(sandbox: Sandbox, header: Mapping[str, Any], response: Mapping[str, Any],
             response_buffers: list[wire.Chunk]) -> Any:
    """The answer ``response`` to the request ``header``, decoded; or raise what the student's code raised."""
    if "error" in response:
        error = response["error"]
        if error.get("type") == "NotImplementedError":
            raise NotImplementedError(error.get("message", ""))
        raise StudentError(error)
    if response.get("callable"):
        return RemoteMethod(sandbox, header.get("handle"), header["name"], header.get("module"))
    try:
        return wire.decode(response.get("ok"), response_buffers, lambda tag: _remote(sandbox, tag))
    except (wire.WireError, KeyError, TypeError, IndexError, ValueError) as error:
        raise SandboxError(f"your code returned something the grader cannot read: {error}") from None


def _remote(sandbox: Sandbox, tag: Mapping[str, Any]) -> "RemoteObject":
    if tag["$"] != "handle":
        raise wire.WireError(f"unexpected {tag['$']!r} in an answer")
    return RemoteObject(sandbox, int(tag["id"]), str(tag.get("type", "object")))


def _call(sandbox: Sandbox, handle: int | None, name: str | None, args: Iterable[object],
          kwargs: Mapping[str, object], module: str | None = None) -> Any:
    buffers: list[wire.Chunk] = []
    try:
        encoded_args = wire.encode(list(args), buffers, _Handles())
        encoded_kwargs = wire.encode(dict(kwargs), buffers, _Handles())
    except wire.WireError as error:
        raise TypeError(f"the grader cannot send this argument to your code: {error}") from None
    header = {"op": "call", "handle": handle, "module": module, "name": name, "args": encoded_args,
              "kwargs": encoded_kwargs}
    return _answer(sandbox, header, buffers)


class _Handles(wire.Handles):
    """On the grader's side only what lives in the sandbox may be sent, by reference."""

    def reference(self, value: object) -> dict[str, Any] | None:
        if isinstance(value, RemoteObject):
            return {"$": "handle", "id": object.__getattribute__(value, "_handle")}
        if isinstance(value, RemoteMethod) and value._handle is None:
            return {"$": "ref", "module": value._module, "name": value._name}
        if isinstance(value, Promise):
            return {"$": "result", "index": value.index}
        if isinstance(value, Resident):
            return {"$": "handle", "id": object.__getattribute__(value.handle, "_handle")}
        if isinstance(value, Streamed):
            return {"$": "streamed", "name": value.name}
        if isinstance(value, Rows) and value.resident is not None:
            return {"$": "rows", "id": object.__getattribute__(value.resident.handle, "_handle"),
                    "rows": value.rows.tolist()}
        return None


class Resident:
    """An array the grader sent to the sandbox once (``RemoteCode.keep``), such as a training set: passed to the
    student's code as it is (by reference), or as rows of it (``resident[rows]``, a ``Rows``), only the row
    numbers cross. Here it reads as the array itself (``local``)."""

    def __init__(self, local: np.ndarray, handle: RemoteObject) -> None:
        self.local, self.handle = local, handle
        #: The rows taken last, by the array of row numbers that took them and a copy of its numbers: a trainer
        #: takes a batch's rows for the loss and again for its record of the batch.
        self._last: tuple[np.ndarray, np.ndarray, Rows] | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.local.shape)

    @property
    def dtype(self) -> np.dtype[Any]:
        return self.local.dtype

    def __len__(self) -> int:
        return len(self.local)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.local if dtype is None else self.local.astype(dtype)

    def __getitem__(self, rows: Any) -> Any:
        """Rows (an array of row numbers, or a slice) as ``Rows``; any other index as a plain array of the local
        copy."""
        if isinstance(rows, slice):
            return Rows.of(self, np.arange(len(self.local))[rows])
        if isinstance(rows, np.ndarray) and rows.dtype.kind in "iu" and rows.ndim == 1:
            last = self._last
            if last is not None and last[0] is rows and np.array_equal(last[1], rows):
                return last[2]
            taken = Rows.of(self, rows.astype(np.int64))
            self._last = (rows, taken.rows, taken)
            return taken
        return self.local[rows]


class Rows(np.ndarray):
    """Rows of a ``Resident`` array: an array here (a copy of the rows), and only their numbers on the way to the
    sandbox, which takes them from its own copy. Arrays computed from it are plain data (``resident`` is None)."""

    resident: Resident | None = None
    rows: np.ndarray

    @classmethod
    def of(cls, resident: Resident, rows: np.ndarray) -> Rows:
        taken: Rows = resident.local[rows].view(cls)
        taken.resident, taken.rows = resident, rows
        return taken

    def __array_finalize__(self, obj: object) -> None:
        self.resident = None


class Promise:
    """The result of a call of a ``Pipeline`` not sent yet: it stays in the sandbox, and a later call of the same
    pipeline may take it as an argument."""

    def __init__(self, pipeline: Pipeline, index: int) -> None:
        self.pipeline, self.index = pipeline, index

    def __repr__(self) -> str:
        return f"<result {self.index} of a pipeline of calls to the student's code>"


class Pipeline:
    """Calls of methods of objects in one sandbox, sent together in one request (``run``): a training step's
    forward, loss, backward and update cross to the sandbox once, not once each. Each call returns a Promise;
    ``run`` returns the last call's result, and an error of any call is raised as a single call's would be."""

    def __init__(self) -> None:
        self.sandbox: Sandbox | None = None
        self.calls: list[dict[str, Any]] = []
        self.buffers: list[wire.Chunk] = []

    def call(self, target: RemoteObject, name: str, *args: object) -> Promise:
        sandbox = object.__getattribute__(target, "_sandbox")
        if self.sandbox is not None and sandbox is not self.sandbox:
            raise ValueError("a pipeline's calls go to one sandbox")
        if any(isinstance(arg, Promise) and arg.pipeline is not self for arg in args):
            raise ValueError("a promise is taken only by a later call of its own pipeline")
        self.sandbox = sandbox
        try:
            encoded = wire.encode(list(args), self.buffers, _Handles())
        except wire.WireError as error:
            raise TypeError(f"the grader cannot send this argument to your code: {error}") from None
        self.calls.append({"handle": object.__getattribute__(target, "_handle"), "module": None, "name": name,
                           "args": encoded, "kwargs": {"$": "dict", "items": []}})
        return Promise(self, len(self.calls) - 1)

    def run(self, later: bool = False) -> Any:
        """Send the calls made since the last run; the last one's result. ``later``: the answer is read with the
        next request to the sandbox (``Sandbox.send_later``), and an error of these calls is raised by it (or by
        the next run sent later); the result is None."""
        if not self.calls:
            return None
        assert self.sandbox is not None  # set by the first call
        calls, buffers, self.calls, self.buffers = self.calls, self.buffers, [], []
        header = {"op": "calls", "calls": calls, "name": calls[-1]["name"]}
        if later:
            failed = self.sandbox.send_later(header, buffers)
            return None if failed is None else _decoded(self.sandbox, header, *failed)
        return _answer(self.sandbox, header, buffers)

    def add(self, value: object) -> int:
        raise wire.WireError(f"cannot send a value of type {type(value).__name__}")


class Streamed:
    """An argument of a ``Run`` that stands for the student's function ``name``, its calls answered as they are made
    (a trainer that takes the function to train, say)."""

    def __init__(self, name: str) -> None:
        self.name = name


class Diverged(Exception):
    """The run ahead in the sandbox (``Run``) made another call than the grader's run makes next, or ended before it:
    the grader makes its calls itself from here on."""


class Run:
    """A provided trainer (the grader's copy of its module ``source``, named ``module``) run in the sandbox ahead of
    the grader's own run of it with the same arguments, so that training's calls of the student's functions do not
    wait for a request each: each call of a function named in ``streamed`` sends its result as it is made, and the
    grader's run takes them in order (``next``). The functions of ``given`` return the grader's values there (the
    reference's initial parameters, say). What the run in the sandbox computes is the student's to make: the
    grader's run holds its own parameters and checks what it takes as it checks any call's answer."""

    def __init__(self, code: RemoteCode, module: str, source: str, function: str, args: Iterable[object],
                 kwargs: Mapping[str, object], streamed: Iterable[str], given: Mapping[str, object]) -> None:
        self.sandbox = code._sandbox
        buffers: list[wire.Chunk] = []
        try:
            encoded = {key: wire.encode(_listed(value), buffers, _Handles())
                       for key, value in (("args", list(args)), ("kwargs", dict(kwargs)), ("given", dict(given)))}
        except wire.WireError as error:
            raise TypeError(f"the grader cannot send this argument to your code: {error}") from None
        self.id: int | None = self.sandbox.stream(
            {"op": "run", "module": module, "source": source, "file": f"<provided {module}.py>", "function": function,
             "streamed": sorted(streamed), **encoded}, buffers)

    def next(self, name: str) -> Any:
        """The result of the run's next call, which must be of ``name``; raises what that call raised, or Diverged
        (the run is over then)."""
        if self.id is None:
            raise Diverged(name)
        response, buffers = self.sandbox.streamed(self.id, f"{name}()")
        if response.get("done") or response.get("stream") != name:
            self.end()
            raise Diverged(name)
        return _decoded(self.sandbox, {"name": name}, response, buffers)

    def end(self) -> None:
        """Stop the run in the sandbox where it is; the sandbox takes requests again."""
        if self.id is not None:
            self.sandbox.end_stream(self.id)
            self.id = None


def _listed(value: Any) -> Any:
    """``value`` with each ``range`` in it (of epochs, say) as a list, which the wire takes."""
    if isinstance(value, range):
        return list(value)
    if type(value) in (list, tuple):
        return type(value)(_listed(item) for item in value)
    if type(value) is dict:
        return {key: _listed(item) for key, item in value.items()}
    return value


class RemoteMethod:
    """A function of the student's (or a provided) module, or a method of a RemoteObject."""

    def __init__(self, sandbox: Sandbox, handle: int | None, name: str, module: str | None = None) -> None:
        self._sandbox, self._handle, self._name, self._module = sandbox, handle, name, module

    def __call__(self, *args: object, **kwargs: object) -> Any:
        return _call(self._sandbox, self._handle, self._name, args, kwargs, self._module)

    def __repr__(self) -> str:
        return f"<{self._name} from the student's code>"


class RemoteObject:
    """An object living in the sandbox: attribute reads, writes and calls go there."""

    def __init__(self, sandbox: Sandbox, handle: int, type_name: str) -> None:
        object.__setattr__(self, "_sandbox", sandbox)
        object.__setattr__(self, "_handle", handle)
        object.__setattr__(self, "_type_name", type_name)

    def describe_type(self) -> str:
        return f"{object.__getattribute__(self, '_type_name')} object"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        sandbox, handle = object.__getattribute__(self, "_sandbox"), object.__getattribute__(self, "_handle")
        try:
            return _answer(sandbox, {"op": "getattr", "handle": handle, "name": name}, [])
        except StudentError as error:
            if error.type == "AttributeError":  # as getattr on the object itself would: the attribute is not set
                raise AttributeError(error.description.removeprefix("your code raised ")) from None
            raise

    def __setattr__(self, name: str, value: object) -> None:
        sandbox, handle = object.__getattribute__(self, "_sandbox"), object.__getattribute__(self, "_handle")
        buffers: list[wire.Chunk] = []
        encoded = wire.encode(value, buffers, _Handles())
        _answer(sandbox, {"op": "setattr", "handle": handle, "name": name, "value": encoded}, buffers)

    def __call__(self, *args: object, **kwargs: object) -> Any:
        return _call(object.__getattribute__(self, "_sandbox"), object.__getattribute__(self, "_handle"), None,
                     args, kwargs)

    def __iter__(self) -> RemoteObject:
        return self

    def __next__(self) -> Any:
        """The next item of an iterator (a generator, say) living in the sandbox."""
        try:
            return _call(object.__getattribute__(self, "_sandbox"), object.__getattribute__(self, "_handle"),
                         "__next__", (), {})
        except StudentError as error:
            if error.type == "StopIteration":
                raise StopIteration from None
            raise

    def __repr__(self) -> str:
        return f"<{self.describe_type()} from the student's code>"


class RemoteModule:
    """A provided module loaded beside the student's, in the sandbox."""

    def __init__(self, sandbox: Sandbox, name: str) -> None:
        self._sandbox, self._name = sandbox, name

    def __getattr__(self, name: str) -> RemoteMethod:
        if name.startswith("_"):
            raise AttributeError(name)
        return RemoteMethod(self._sandbox, None, name, self._name)


class RemoteCode:
    """The student's modules, seen through the sandbox (the interface of ``checks.StudentCode``).

    ``sources`` holds the text of the files the sandbox was given (relative path -> text), so that a file
    that did not import is explained with the line at fault (``import_failures``); ``calls`` are the
    assignment's declared calls, so that a call the student's signature cannot take says what the grader
    calls (``explain``).
    """

    def __init__(self, sandbox: Sandbox, sources: dict[str, str] | None = None, calls: tuple[Call, ...] = ()) -> None:
        self._sandbox = sandbox
        self._sources = sources or {}
        self._calls = calls
        self._failures: dict[str, str] | None = None

    def blocked_by(self, error: Exception) -> tuple[str, ...]:
        """The files that did not import whose import raised ``error`` again (``imports.blocked_by``)."""
        return imports.blocked_by(error.error, self.import_failures) if isinstance(error, StudentError) else ()

    def explain(self, error: Exception) -> tuple[str | None, str | None]:
        """What an error of the student's code says about its arguments (``autograde.student.signatures``): (the
        message of a call the student's signature cannot take, else None; a hint naming the declared call, else
        None)."""
        if not isinstance(error, StudentError):
            return None, None
        return signatures.explain(error.error, error.error.get("defined"), self._sandbox.student_modules, self._calls)

    def _files(self, modules: Iterable[str]) -> list[str]:
        by_module = {module_name(path): path for path in self._sources}
        return [by_module.get(module, module_file(module)) for module in modules]

    @property
    def import_failures(self) -> dict[str, str]:
        """file -> the finding of each file that did not import (``autograde.student.imports``); the sandbox starts
        for it only when it never did."""
        sandbox = self._sandbox
        if not sandbox.imported:
            sandbox.ensure_started()
        if self._failures is None:
            student, provided = self._files(sandbox.student_modules), self._files(sandbox.provided_modules)
            if sandbox.import_error:
                self._failures = imports.start_failure(sandbox.import_error, student, self._sources)
            else:
                self._failures = imports.findings(sandbox.import_errors, student, provided, self._sources)
        return self._failures

    def keep(self, array: np.ndarray) -> Resident:
        """``array`` sent to the sandbox once, to be passed to the student's code by reference (``Resident``)."""
        buffers: list[wire.Chunk] = []
        handle = _answer(self._sandbox, {"op": "keep", "value": wire.encode(array, buffers)}, buffers)
        return Resident(array, handle)

    def provided(self, module: str) -> RemoteModule:
        """A provided module as loaded beside the student's (its functions run in the sandbox)."""
        if module not in self._sandbox.provided_modules:
            raise KeyError(f"{module} is not a provided module of this assignment")
        if self.import_failures and (self._sandbox.import_error or module in self._sandbox.import_errors):
            raise NotRun(self.import_failures)
        return RemoteModule(self._sandbox, module)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        sandbox = self._sandbox
        failures = self.import_failures
        if sandbox.import_error:
            raise NotRun(failures)
        if name not in sandbox.names:
            raise not_found(name, sandbox.student_modules, failures)
        if sandbox.names[name]:
            return RemoteMethod(sandbox, None, name)
        return _answer(sandbox, {"op": "getattr", "handle": None, "name": name}, [])
