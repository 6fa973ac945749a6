"""The one environment a student's code meets, in their notebook and at grading: what the release promises.

A release's ``requirements.txt`` installs numpy, matplotlib, ipywidgets, tqdm (and JupyterLab, the
editor); ``PACKAGES`` are the ones code imports, with ipykernel, which runs the notebooks. Both
sandboxes of the grader show exactly these packages and what they require (``site_entries``), beside
the standard library; ``unavailable_imports`` reads a student's file (its syntax tree: nothing runs)
and names each import the grader cannot satisfy, so that the notebook says so before submission.
"""
from __future__ import annotations

import ast
import functools
import importlib.metadata
import importlib.util
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import AbstractSet, cast

#: The packages a student's code may import besides the standard library, as the release installs them;
#: every package they require comes with them (IPython with ipywidgets and ipykernel, for one).
PACKAGES = ("ipykernel", "numpy", "matplotlib", "ipywidgets", "tqdm")
#: Packages of the kit that every release ships beside the student's files, which their code may import too
#: (``from data_scripts import load_mnist``, for a main() of their own).
RELEASED = ("data_scripts",)
#: How messages name what the grader offers.
OFFERED_TEXT = "numpy, matplotlib, tqdm, ipywidgets, IPython, data_scripts and Python's standard library"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.cache
def site_entries(roots: tuple[str, ...] = PACKAGES) -> tuple[Path, ...]:
    """The top-level entries (packages, modules, ``.libs`` and ``.dist-info`` folders) of ``roots`` and of every
    distribution they require, recursively (markers evaluated here, extras left out), as installed in this
    environment. A root that is not installed here is left out (a student who runs the notebooks elsewhere)."""
    # packaging comes with matplotlib, which requires it: wherever the release's packages are, it is.
    from packaging.markers import default_environment
    from packaging.requirements import Requirement

    # packaging's Environment is a TypedDict of str values, which mypy does not see as a dict of str
    environment = cast("dict[str, str]", {**default_environment(), "extra": ""})
    found: dict[str, importlib.metadata.Distribution] = {}
    waiting = list(roots)
    while waiting:
        name = _canonical(waiting.pop())
        if name in found:
            continue
        try:
            found[name] = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        for text in found[name].requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate(environment):
                waiting.append(requirement.name)
    entries = set()
    for distribution in found.values():
        # typeshed's SimplePath has no __fspath__; an installed distribution's files are a pathlib.Path
        base = Path(distribution.locate_file(""))  # type: ignore[arg-type]
        for file in distribution.files or []:
            first = file.parts[0]
            if first not in ("..", "__pycache__") and not first.endswith(".pth"):
                entries.add(base / first)
    return tuple(sorted(path for path in entries if path.exists()))


def released_entries() -> tuple[Path, ...]:
    """The folders of the RELEASED packages, as installed here."""
    found = [importlib.util.find_spec(name) for name in RELEASED]
    return tuple(Path(spec.origin).parent for spec in found if spec is not None and spec.origin)


@functools.cache
def offered_modules() -> frozenset[str]:
    """The top-level names a student's code may import: the standard library's, those of ``site_entries`` and
    the RELEASED packages."""
    names = set(sys.stdlib_module_names) | set(RELEASED)
    for entry in site_entries():
        if entry.suffix in (".dist-info", ".egg-info", ".libs", ".data") or entry.name.endswith(".libs"):
            continue
        names.add(entry.name.split(".")[0])
    return frozenset(names)


def own_modules(files: Iterable[str]) -> set[str]:
    """The top-level names an assignment's ``files`` (relative paths) are imported by: ``layers``, ``optimizer``."""
    return {relative.split("/")[0].removesuffix(".py") for relative in files}


@dataclass(frozen=True)
class UnavailableImport:
    """An import in a student's file that grading cannot satisfy."""

    file: str     # as the student names it: ``layers/fc_layer.py``
    line: int
    module: str   # the top-level name imported: ``sklearn``
    local: bool   # True: a module of the student's own folder that the grader does not take

    @property
    def message(self) -> str:
        if self.local:
            return (f"{self.file} line {self.line} imports {self.module}, a file of your own that is not one of the "
                    f"assignment's files: the grader takes only those, so grading will fail unless you move what "
                    f"you need from {self.module}.py into {self.file}")
        return (f"{self.file} line {self.line} imports {self.module}, which the grader does not have: grading will "
                f"fail unless you remove it (the grader has {OFFERED_TEXT}, as the assignment's requirements.txt "
                f"installs them)")


def unavailable_messages(student_files: Iterable[str], files: Iterable[str], sources: Mapping[str, str],
                         local_modules: AbstractSet[str] = frozenset()) -> list[str]:
    """What ``unavailable_imports`` finds in each of ``student_files`` that ``sources`` holds (relative path ->
    text), one message each; ``files`` are all the assignment's files (their names are the student's own)."""
    own = own_modules(files)
    return [found.message for relative in student_files if relative in sources
            for found in unavailable_imports(sources[relative], relative, own, local_modules)]


def _guarded(parents: list[ast.AST]) -> bool:
    """Whether an import sits in the body of a ``try`` that handles its failure (ImportError or broader)."""
    handled = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
    for node in parents:
        if isinstance(node, ast.Try):
            for handler in node.handlers:
                names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
                if handler.type is None or any(isinstance(n, ast.Name) and n.id in handled for n in names):
                    return True
    return False


def unavailable_imports(source: str, file: str, own_modules: AbstractSet[str],
                        local_modules: AbstractSet[str] = frozenset(), available: frozenset[str] | None = None) -> list[UnavailableImport]:
    """The imports of ``source`` (the text of the student's ``file``) that the grader cannot satisfy, one per
    module and file, in the order of the file. ``own_modules`` are the top-level names of the assignment's
    files (the student's and the provided ones), ``local_modules`` those of the other Python files beside
    them, which the grader does not take. An import inside a ``try`` that handles ImportError is the
    student's own fallback and is left alone. A file that does not parse has none: grading reports its
    SyntaxError."""
    try:
        tree = ast.parse(source, file)
    except (SyntaxError, ValueError):
        return []
    available = offered_modules() if available is None else available
    found: dict[str, UnavailableImport] = {}

    def visit(node: ast.AST, parents: list[ast.AST]) -> None:
        names: list[str] = []
        line = 0
        if isinstance(node, ast.Import):
            names, line = [alias.name for alias in node.names], node.lineno
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names, line = [node.module], node.lineno
        for name in names:
            top = name.split(".")[0]
            if top in available or top in own_modules or top in found or _guarded(parents):
                continue
            found[top] = UnavailableImport(file, line, top, top in local_modules)
        for child in ast.iter_child_nodes(node):
            visit(child, [*parents, node])

    visit(tree, [])
    return list(found.values())
