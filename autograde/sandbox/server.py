"""The process inside the sandbox: imports the student's modules and answers the grader's calls.

Started by ``autograde.sandbox.process`` as ``python -I -S server.py CODE_DIR SITE_DIRS MAX_BYTES
UID STUDENT_MODULES PROVIDED_MODULES`` with ``wire.py`` beside it and ``loader.py`` (of
``autograde/student``) beside it or in SITE_DIRS. It speaks ``wire`` messages on the
stdin/stdout it was given, which it moves to private descriptors first, so whatever the
student's code prints goes to stderr. Runs with the standard library only (the student's code may
import the student packages bound at SITE_DIRS).
"""
from __future__ import annotations

import io
import os
import select
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any


def drop_privileges(uid: int) -> None:
    """As root, become ``uid`` (and lose every capability) before any student code runs."""
    if uid > 0 and os.getuid() == 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)


def private_channel() -> tuple[io.FileIO, io.FileIO]:
    """Move the protocol to new descriptors; fd 0 reads nothing, fd 1 goes to stderr."""
    requests = io.open(os.dup(0), "rb", buffering=0)
    responses = io.open(os.dup(1), "wb", buffering=0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return requests, responses


def main(argv: Sequence[str]) -> int:
    code_dir, site_dirs, max_bytes, uid, student_modules, provided_modules = (
        argv[1], argv[2], int(argv[3]), int(argv[4]), argv[5].split(","), [m for m in argv[6].split(",") if m])
    drop_privileges(uid)
    for directory in reversed(site_dirs.split(os.pathsep)):
        sys.path.insert(0, directory)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    requests, responses = private_channel()
    import wire

    handles = wire.Handles()

    def too_large(header: dict[str, Any], what: str) -> None:
        wire.write(responses, wire.message({**header, "ok": None, "error": {
            "type": "WireError", "where": "", "message": f"the result is too large: {what}"}}, []))

    def send(header: dict[str, Any], value: object = None, error: BaseException | None = None,
             defined: str | None = None, raw: bool = False) -> None:
        """Answer with ``value`` (``raw``: the header's "ok" is the answer already), or with ``error``."""
        buffers: list[wire.Chunk] = []
        if error is None and not raw:
            try:
                header["ok"] = wire.encode(value, buffers, handles)
            except (wire.WireError, RecursionError) as failure:
                buffers, error = [], failure
            except MemoryError:  # a copy of a result that fills the sandbox's memory
                copied = sum(len(b) for b in buffers)
                del buffers  # its memory is freed before the answer is written
                too_large(header, f"copying it to send it ran out of the sandbox's memory after {copied:,} bytes")
                return
        if error is not None:
            header["error"] = {**describe(error), **({"defined": defined} if defined else {})}
        try:
            parts = wire.message(header, buffers)
        except MemoryError:
            del buffers
            too_large(header, "packing it ran out of the sandbox's memory")
            return
        length = sum(len(part) for part in parts)
        if length > max_bytes:
            too_large(header, f"{length:,} bytes, more than the limit of {max_bytes:,}")
            return
        wire.write(responses, parts)

    import loader

    modules, failures = loader.load(code_dir, provided_modules + student_modules)

    def describe(error: BaseException) -> dict[str, Any]:
        return loader.describe(error, code_dir)

    names: dict[str, bool] = {}
    for module_name in student_modules:
        for attribute, value in vars(modules[module_name]).items() if module_name in modules else ():
            if not attribute.startswith("_") and not isinstance(value, type(sys)):
                names.setdefault(attribute, callable(value))
    send({"id": 0}, {"names": names, "import_errors": {m: describe(e) for m, e in failures.items()}})

    #: The results of the calls of the pipeline being run (``calls``), which its later calls may take.
    results: list[object] = []

    def resolve(tag: dict[str, Any]) -> object:
        if tag["$"] == "streamed":
            raise ValueError("a streamed function outside a run")
        if tag["$"] == "ref":  # a function or class of the student's or provided modules, by name
            return getattr(modules[tag["module"]] if tag.get("module") else find(tag["name"]), tag["name"])
        if tag["$"] == "result":  # the result of an earlier call of the same pipeline
            return results[int(tag["index"])]
        if tag["$"] == "rows":  # rows of an array the grader sent once ("keep"), as a fresh array
            kept: Any = handles.objects[int(tag["id"])]
            return kept[[int(row) for row in tag["rows"]]]
        return handles.objects[int(tag["id"])]

    def target_of(header: dict[str, Any]) -> Any:
        """The object, provided module or student module a request names."""
        if header.get("handle"):
            return handles.objects[int(header["handle"])]
        if header.get("module"):
            if header["module"] not in provided_modules:
                raise ValueError(f"no provided module {header['module']!r}")
            if header["module"] in failures:
                raise ImportError(f"{header['module']} could not be imported because of "
                                  f"{describe(failures[header['module']])['message']}")
            return modules[header["module"]]
        return find(header["name"])

    def call(header: dict[str, Any], buffers: list[Any]) -> object:
        target, name = target_of(header), header.get("name")
        function = getattr(target, name) if name else target
        args = wire.decode(header["args"], buffers, resolve)
        kwargs = wire.decode(header["kwargs"], buffers, resolve)
        return function(*args, **kwargs)

    def find(name: str) -> ModuleType:
        return modules[next(m for m in student_modules if m in modules and hasattr(modules[m], name))]

    def run(header: dict[str, Any], buffers: list[Any]) -> None:
        """Run the grader's copy of a provided trainer here, ahead of the grader's own run of it: each call of a
        student function named in "streamed" is answered at once (a message of the run's id naming it, as a
        call's answer), and the functions of "given" return the grader's values. Ends with a message saying
        "done", when the trainer ends (an iterator it returns is run to its end), when a streamed call raises
        (its answer carries the error), or when the grader sends "stop"."""
        run_id, streamed = header["id"], set(header["streamed"])

        def resolve_streamed(tag: dict[str, Any]) -> object:  # a function the trainer takes as an argument
            return recorded(tag["name"], getattr(find(tag["name"]), tag["name"])) if tag["$"] == "streamed" \
                else resolve(tag)

        class Stopped(BaseException):
            """The run ends here: the grader asked, or a streamed call raised."""

        def recorded(name: str, function: Any) -> Any:
            def call(*call_args: Any, **call_kwargs: Any) -> Any:
                if select.select([requests], [], [], 0)[0]:  # the grader's "stop", the only request a run takes
                    raise Stopped
                try:
                    result = function(*call_args, **call_kwargs)
                except BaseException as error:  # noqa: BLE001 - the student's, sent as a call's error is
                    defined = loader.bound_signature(error, [modules[m] for m in student_modules if m in modules])
                    send({"id": run_id, "stream": name}, error=error, defined=defined)
                    raise Stopped from None
                send({"id": run_id, "stream": name}, result)
                return result
            return call

        def returns(value: Any) -> Any:
            return lambda *_, **__: value

        class Bound(ModuleType):
            def __getattr__(self, name: str) -> Any:
                if name.startswith("__"):
                    raise AttributeError(name)
                if name in given:
                    return returns(given[name])
                value = getattr(find(name), name)
                return recorded(name, value) if name in streamed else value

        given = wire.decode(header["given"], buffers, resolve)
        args = wire.decode(header["args"], buffers, resolve_streamed)
        kwargs = wire.decode(header["kwargs"], buffers, resolve_streamed)
        trainer = ModuleType(header["module"])
        names = [*student_modules, header["module"]]
        saved = {name: sys.modules.get(name) for name in names}
        sys.modules.update({name: Bound(name) for name in student_modules})
        sys.modules[header["module"]] = trainer
        ended: dict[str, Any] = {}
        try:
            exec(compile(header["source"], header["file"], "exec"), trainer.__dict__)
            result = getattr(trainer, header["function"])(*args, **kwargs)
            for _ in result if hasattr(result, "__next__") else ():
                pass
        except Stopped:
            pass
        except BaseException as error:  # noqa: BLE001 - the trainer stopped on what the student's code returned
            ended = describe(error)
        finally:
            for name, module in saved.items():
                if module is None:
                    sys.modules.pop(name, None)
                else:
                    sys.modules[name] = module
        send({"id": run_id, "done": True, "ended": ended}, raw=True)

    while True:
        try:
            header, buffers = wire.unpack(requests, max_bytes)
        except EOFError:
            return 0
        try:
            operation = header["op"]
            name: Any = header.get("name")  # the grader's JSON: an attribute's name, or None to call the target
            if operation == "call":
                result = call(header, buffers)
            elif operation == "calls":  # a pipeline: calls in order, each may take an earlier one's result
                results.clear()
                for request in header["calls"]:
                    results.append(call(request, buffers))
                result = results[-1] if results else None
                results.clear()
            elif operation == "getattr":
                target = target_of(header)
                result = getattr(target, name)
                if callable(result) and not isinstance(result, type):
                    send({"id": header["id"], "callable": True}, None)
                    continue
            elif operation == "keep":  # an array the grader sends once, to name in later calls
                array = wire.decode(header["value"], buffers)
                kept = handles.add(array)
                send({"id": header["id"], "ok": {"$": "handle", "id": kept, "type": "ndarray", "callable": False}},
                     raw=True)
                continue
            elif operation == "run":  # a trainer run ahead of the grader's: sends its own messages
                run(header, buffers)
                continue
            elif operation == "stop":  # of a run that had ended already
                continue
            elif operation == "setattr":
                setattr(target_of(header), name, wire.decode(header["value"], buffers, resolve))
                result = None
            else:
                raise ValueError(f"unknown operation {operation!r}")
        except BaseException as error:  # noqa: BLE001 - SystemExit, KeyboardInterrupt: all are the student's
            # A TypeError of a call whose arguments did not fit the student's function: how it is defined.
            defined = loader.bound_signature(error, [modules[m] for m in student_modules if m in modules])
            send({"id": header.get("id")}, error=error, defined=defined)
            continue
        send({"id": header["id"]}, result)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
