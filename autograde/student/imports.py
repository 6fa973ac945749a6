"""A student's file that does not import is one finding, said once, with what to do about it.

The loader (in the notebook, or in the grader's sandbox) reports each module that did not import
as ``loader.describe`` data. ``findings`` turns those into one sentence per student file:
the file, the line, the exception, and the cause where it is a known one: a package the grader does
not have (it names the packages it has), code that runs when the file is imported (it asks for
``if __name__ == "__main__":``), a SyntaxError. A provided file that failed only because it imports a
student's file that failed is not blamed: the student's file is. Every check that needed the file
then says in one line that it did not run (``checks.NotRun``, with the line ``not_run`` makes).
"""
from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import AbstractSet, Any

from autograde.student import environment
from autograde.student.spec import module_name

#: What a check that could not run says: the files are named, the finding is above it.
NOT_RUN = "not run: {files} did not import (see above)"
#: Said of code that runs when its file is imported.
MAIN_GUARD = ('the grader imports your file to call its functions, so code that loads data, trains or calls main() '
              'must go under `if __name__ == "__main__":` (it runs when you run the file, never when it is imported)')


def files_text(files: Iterable[str]) -> str:
    files = list(files)
    return files[0] if len(files) == 1 else ", ".join(files[:-1]) + " and " + files[-1]


def blame(import_errors: Mapping[str, Mapping[str, Any]], student_files: Collection[str],
          provided_files: Collection[str]) -> dict[str, Mapping[str, Any]]:
    """file -> the error of each file to blame: the student's files that did not import, and the provided files
    that failed on their own. A provided file's failure that ran through a student's file is that file's
    failure; where a student's file failed, a provided file that failed without running one failed because
    of it (``mlp_training.py`` importing FCLayer from the ``layers`` package, which a broken
    ``layers/fc_layer.py`` left without it): the provided files are the kit's, released complete."""
    files = {module_name(f): f for f in (*provided_files, *student_files)}
    student = set(student_files)
    blamed: dict[str, Mapping[str, Any]] = {}
    for module, error in import_errors.items():
        file = files.get(module, module.replace(".", "/") + ".py")
        if file in student:
            blamed[file] = error
    for module, error in import_errors.items():
        file = files.get(module, module.replace(".", "/") + ".py")
        if file in student:
            continue
        through = [frame[0] for frame in error.get("frames", []) if frame[0] in student]
        if through:
            blamed.setdefault(through[0], error)
        elif not any(failed in student for failed in blamed):
            blamed[file] = error
    return blamed


def findings(import_errors: Mapping[str, Mapping[str, Any]], student_files: Collection[str],
             provided_files: Collection[str], sources: Mapping[str, str],
             local_modules: AbstractSet[str] = frozenset()) -> dict[str, str]:
    """file -> what to tell the student about each file that did not import (``blame``), one sentence each.

    ``sources`` holds the text of the files (relative path -> text), to quote the line at fault;
    ``local_modules`` the top-level names of other Python files the student has beside them."""
    return {file: explain(file, error, sources, local_modules)
            for file, error in blame(import_errors, student_files, provided_files).items()}


def explain(file: str, error: Mapping[str, Any], sources: Mapping[str, str],
            local_modules: AbstractSet[str] = frozenset()) -> str:
    """``softmax_classifier.py did not import: SyntaxError: ... (line 12 of softmax_classifier.py)``, with the cause."""
    if error.get("type") == "FileNotFoundError" and not error.get("frames"):
        return f"{file} is missing from the submission"
    frames = error.get("frames", [])
    where = error.get("where", "")
    message = error.get("message", "")
    at_import = _module_level_statement(frames, sources)
    if at_import is not None and error.get("type") not in ("SyntaxError", "IndentationError", "TabError"):
        path, line, code = at_import
        raised = message if len(message) <= 160 else message[:157] + "..."
        return (f"{file} did not import: line {line}{'' if path == file else f' of {path}'} runs when the file is "
                f"imported ({code}) and raised "
                f"{raised}{f' ({where})' if where and where != f'line {line} of {path}' else ''}; {MAIN_GUARD}")
    missing = re.match(r"ModuleNotFoundError: No module named '([^'.]+)", message)
    if missing:
        at_line = "" if not frames else f" line {frames[-1][1]}" + (
            "" if frames[-1][0] == file else f" of {frames[-1][0]}")
        name = missing.group(1)
        if name in local_modules:
            return (f"{file} did not import:{at_line} imports {name}, a file of your own that is not one of the "
                    f"assignment's files; the grader takes only those, so move what you need from {name}.py "
                    f"into {frames[-1][0] if frames else file}")
        return (f"{file} did not import:{at_line} imports {name}, which the grader does not have; it has "
                f"{environment.OFFERED_TEXT}, as the assignment's requirements.txt installs them. Remove the import "
                f"(and what uses it)")
    return f"{file} did not import: {message}" + (f" ({where})" if where else "")


def _module_level_statement(frames: Iterable[Sequence[Any]], sources: Mapping[str, str]) -> tuple[str, int, str] | None:
    """(file, line, code) of the outermost statement the import ran in a file of ``sources`` at its top level, when
    that statement is not an import (the failure is then the statement's own, not another file's)."""
    for path, line, function in frames:
        if function != "<module>" or path not in sources:
            continue
        statement = _statement_at(sources[path], line)
        if statement is None or isinstance(statement, (ast.Import, ast.ImportFrom)):
            return None
        return path, line, _code(sources[path], statement)
    return None


def _statement_at(source: str, line: int) -> ast.stmt | None:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    return next((node for node in tree.body if node.lineno <= line <= (node.end_lineno or node.lineno)), None)


def _code(source: str, statement: ast.stmt, limit: int = 60) -> str:
    text = " ".join((ast.get_source_segment(source, statement) or "").split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


#: Calls that module-level code may make without doing the work a grader would wait for.
HARMLESS_CALLS = {"print", "seed", "default_rng", "RandomState", "use", "filterwarnings", "simplefilter",
                  "set_printoptions", "seterr", "update", "append", "insert", "setdefault", "getLogger",
                  "basicConfig", "array", "asarray", "arange", "linspace", "zeros", "ones", "eye", "full", "list",
                  "range", "dict", "set", "tuple", "len", "str", "int", "float", "namedtuple", "TypeVar",
                  "dataclass", "Path", "join", "dirname", "abspath", "get", "items", "keys", "values"}


def module_level_work(source: str, path: str) -> tuple[int, str] | None:
    """(line, code) of the first top-level statement of ``source`` that does work when the file is imported (it
    calls something other than ``HARMLESS_CALLS``, or loops), outside ``if __name__ == "__main__":``; None
    where every top-level statement only defines, assigns constants, prints or seeds."""
    try:
        tree = ast.parse(source, path)
    except (SyntaxError, ValueError):
        return None
    for statement in tree.body:
        if isinstance(statement, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef,
                                  ast.ClassDef)) or _is_main_guard(statement):
            continue
        if isinstance(statement, (ast.For, ast.While, ast.AsyncFor)):
            return statement.lineno, _code(source, statement)
        for node in ast.walk(statement):
            if isinstance(node, ast.Call) and _called_name(node) not in HARMLESS_CALLS:
                return statement.lineno, _code(source, statement)
    return None


def _called_name(call: ast.Call) -> str:
    function = call.func
    return function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")


def _is_main_guard(statement: ast.stmt) -> bool:
    if not isinstance(statement, ast.If) or not isinstance(statement.test, ast.Compare):
        return False
    names = [statement.test.left, *statement.test.comparators]
    return any(isinstance(n, ast.Name) and n.id == "__name__" for n in names)


def start_failure(error: Mapping[str, Any], student_files: Collection[str], sources: Mapping[str, str]
                  ) -> dict[str, str]:
    """file -> the finding when the student's files as a whole did not import: the sandbox ran out of time or
    memory, or died, while importing them. The file with module-level work is blamed, naming its line;
    without one, every student file."""
    message = error.get("message", "the import failed")
    for file in student_files:
        work = module_level_work(sources.get(file, ""), file)
        if work is not None:
            line, code = work
            return {file: f"{file} did not import: {message}; line {line} of {file} runs when the file is imported "
                          f"({code}); {MAIN_GUARD}"}
    return {file: f"{file} did not import: {message}" for file in student_files}


def blocked_by(error: Mapping[str, Any], failures: Mapping[str, str]) -> tuple[str, ...]:
    """The files of ``failures`` (those that did not import) whose import raised ``error`` (``loader.describe``)
    once more, when a provided function imported them late: the check that called it did not run."""
    return tuple(dict.fromkeys(path for path, _, function in error.get("frames", [])
                               if function == "<module>" and path in failures))


def not_run(failed_files: Iterable[str]) -> str:
    """The one line of a check that could not run because ``failed_files`` did not import."""
    return NOT_RUN.format(files=files_text(failed_files))
