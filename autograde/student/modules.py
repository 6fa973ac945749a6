"""Import a student's modules for an assignment from a folder, in this process, fresh each time.

Used by the notebook (grade cells, panels), by calibration (the reference) and by the kit's
tests. The grader never does this with a submission: it reaches student code through the
sandbox (``autograde.sandbox.proxy``).
"""
from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from pathlib import Path

from autograde.student import environment, imports, loader, registry
from autograde.student.checks import StudentCode

_FOLDERS: list[str] = []


def forget(modules: Iterable[str]) -> None:
    """Drop earlier imports of ``modules`` (and their packages' submodules) so they load anew."""
    tops = {m.split(".")[0] for m in modules}
    for name in list(sys.modules):
        if name.split(".")[0] in tops:
            del sys.modules[name]


def student_code(assignment_id: str, folder: Path) -> StudentCode:
    """The assignment's provided and student modules from ``folder``, executed anew.

    ``folder`` goes first on ``sys.path`` (replacing a folder an earlier call put there),
    so the modules import each other by their plain names, as in the course's own code.
    A module that is missing or fails to import costs only the checks that need it.
    """
    spec = registry.get(assignment_id)
    folder = Path(folder).resolve()
    for earlier in _FOLDERS:
        if earlier in sys.path:
            sys.path.remove(earlier)
    _FOLDERS[:] = [str(folder)]
    sys.path.insert(0, str(folder))
    forget(spec.provided_modules + spec.student_modules)
    importlib.invalidate_caches()
    modules, failures = loader.load(str(folder), spec.provided_modules + spec.student_modules)
    described = {name: loader.describe(error, str(folder)) for name, error in failures.items()}
    return StudentCode({name: modules[name] for name in spec.student_modules if name in modules},
                       {name: modules[name] for name in spec.provided_modules if name in modules},
                       imports.findings(described, spec.student_files, spec.provided_files, sources(folder, spec.files),
                                        local_modules(folder, spec.files)),
                       spec.student_modules, str(folder), spec.calls)


def sources(folder: Path, files: Iterable[str]) -> dict[str, str]:
    """The text of each of ``files`` (relative paths) in ``folder`` that is there."""
    texts = {}
    for relative in files:
        try:
            texts[relative] = (folder / relative).read_text(errors="replace")
        except OSError:
            continue
    return texts


def local_modules(folder: Path, files: Iterable[str]) -> set[str]:
    """The top-level names of the Python files and packages in ``folder`` that are not among ``files``: the
    student's own helpers, which the grader does not take."""
    own = environment.own_modules(files)
    found = {path.stem for path in folder.glob("*.py")} | {path.parent.name for path in folder.glob("*/__init__.py")}
    return found - own
