"""The import floors of autograde/: the tree is the architecture, and these rules hold it.

Every ``import`` and ``from ... import`` of every module is read with ``ast`` (imports inside
functions included; ``importlib.import_module`` of a name built at run time is not an import
arrow and is not counted). The rules:

- layering: a module imports only its own layer and the layers below it (``LAYERS``);
- the student side (``autograde/student/``) and an assignment's public modules (all of its folder
  but ``hidden``) import only the student side, their own assignment's public modules,
  ``data_scripts``, the standard library and the student packages (``STUDENT_PACKAGES``):
  a release runs where nothing else is installed;
- the grading core (``autograde/grading/``) and the hidden checks never import the course, the
  batch, the reports, the authoring tools or the CLI;
- what runs inside the sandbox (``sandbox/server.py``, ``sandbox/wire.py``,
  ``student/loader.py``) imports only the standard library, numpy and each other;
- ``data_scripts`` imports nothing of autograde.

Each rule is shown to fail on a planted bad import.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

#: Layers from the bottom; the first matching prefix of a module's dotted name decides.
LAYERS = [
    ("autograde.kit", 0), ("autograde.limits", 0), ("autograde.errors", 0), ("autograde.intake", 0),
    ("autograde.timing", 0),
    ("autograde.student", 1), ("autograde.assignments", 1),
    ("autograde.sandbox", 2),
    ("autograde.grading", 3),
    ("autograde.course", 4),
    ("autograde.batch", 5),
    ("autograde.reports", 6), ("autograde.platforms", 6),
    ("autograde.authoring", 7),
    ("autograde.cli", 8), ("autograde.__main__", 8),
    ("autograde", 0),
]
def within(module: str, package: str) -> bool:
    """Whether ``module`` is ``package`` or inside it (``autograde.student_ids`` is not in ``autograde.student``)."""
    return module == package or module.startswith(package + ".")


#: Third-party packages a student installs (besides the standard library); packaging comes with matplotlib,
#: which requires it.
STUDENT_PACKAGES = {"numpy", "matplotlib", "ipywidgets", "IPython", "tqdm", "packaging"}
#: Modules that run inside the sandbox, and the plain names they import each other by there.
INSIDE_SANDBOX = {"autograde.sandbox.server": "server", "autograde.sandbox.wire": "wire",
                  "autograde.student.loader": "loader"}
#: What the grading core never imports.
ABOVE_GRADING = ("autograde.course", "autograde.batch", "autograde.reports", "autograde.authoring", "autograde.cli")


def module_name(relative: str) -> str:
    parts = relative[: -len(".py")].split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(relative: str, source: str) -> list[tuple[int, str]]:
    """(line, imported module) of every import in the file at ``relative`` (relative imports resolved)."""
    package = module_name(relative).split(".")
    if not relative.endswith("__init__.py"):
        package = package[:-1]
    found = []
    for node in ast.walk(ast.parse(source, relative)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            if node.module:
                found.append((node.lineno, module))
            # ``from autograde.student import checks`` imports the module autograde.student.checks
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names if alias.name != "*"]
    return found


def layer(module: str) -> int | None:
    return next((rank for prefix, rank in LAYERS if module == prefix or module.startswith(prefix + ".")), None)


def top(module: str) -> str:
    return module.split(".")[0]


def is_hidden(module: str) -> bool:
    parts = module.split(".")
    return parts[:2] == ["autograde", "assignments"] and len(parts) > 3 and parts[3] == "hidden"


def violations(files: dict[str, str]) -> list[str]:
    """Every import in ``files`` (path relative to the repository -> source) that breaks a rule."""
    known = {module_name(path) for path in files}
    found = []
    for path, source in sorted(files.items()):
        module = module_name(path)
        for line, imported in imports(path, source):
            where = f"{path}:{line} imports {imported}"
            if imported.startswith("autograde") and imported not in known and imported.rsplit(".", 1)[0] in known:
                continue  # ``from autograde.x import some_function``: the module arrow was counted
            found += [f"{where}: {problem}" for problem in _problems(module, imported)]
    return found


def _problems(module: str, imported: str) -> list[str]:
    problems = []
    if module.startswith("data_scripts"):
        if top(imported) == "autograde":
            problems.append("data_scripts imports nothing of autograde")
        return problems
    if module in INSIDE_SANDBOX:
        if not (top(imported) in sys.stdlib_module_names or top(imported) == "numpy"
                or imported in INSIDE_SANDBOX.values()):
            problems.append("what runs inside the sandbox imports only the standard library and numpy")
        return problems
    if top(imported) != "autograde":
        outside = top(imported) not in sys.stdlib_module_names
        student_side = within(module, "autograde.student") or (
            module.startswith("autograde.assignments") and not is_hidden(module))
        if student_side and outside and top(imported) not in STUDENT_PACKAGES | {"data_scripts"}:
            problems.append("the student side imports only the student packages: a release runs without the kit")
        return problems
    mine, theirs = layer(module), layer(imported)
    if mine is not None and theirs is not None and theirs > mine and not is_hidden(module):
        problems.append(f"layer {mine} imports layer {theirs}: arrows point down")
    if within(module, "autograde.student") and not within(imported, "autograde.student"):
        problems.append("the student side imports only itself (and data_scripts)")
    if module.startswith("autograde.assignments") and not is_hidden(module):
        own = ".".join(module.split(".")[:3])
        if not (within(imported, "autograde.student") or within(imported, own)):
            problems.append("public checks and panels import only the student side and their own assignment")
        if is_hidden(imported):
            problems.append("public modules never import hidden checks")
    if module.startswith("autograde.grading") or is_hidden(module):
        if any(imported == above or imported.startswith(above + ".") for above in ABOVE_GRADING):
            problems.append("grading never imports the course, batch, reports, authoring or CLI layers")
    return problems


def kit_sources() -> dict[str, str]:
    return {path.relative_to(REPO).as_posix(): path.read_text()
            for folder in ("autograde", "data_scripts") for path in sorted((REPO / folder).rglob("*.py"))
            if "__pycache__" not in path.parts}


def test_the_tree_keeps_every_import_floor():
    files = kit_sources()
    assert len(files) > 40 and "autograde/student/checks.py" in files
    assert violations(files) == []


def test_every_module_of_autograde_belongs_to_a_layer():
    unplaced = [path for path in kit_sources() if path.startswith("autograde/") and layer(module_name(path)) is None]
    assert unplaced == []


PLANTED = [
    ("autograde/student/notebook.py", "from autograde.grading import runner", "the student side imports only itself"),
    ("autograde/student/checks.py", "import nbgrader", "the student side imports only the student packages"),
    ("autograde/assignments/softmax_mlp/public/softmax.py", "from solutions.softmax_mlp import softmax_classifier",
     "the student side imports only the student packages"),
    ("autograde/assignments/softmax_mlp/public/layers.py", "from autograde.assignments.softmax_mlp.hidden import layers",
     "public modules never import hidden checks"),
    ("autograde/assignments/deep_mlp/panel.py", "from autograde.assignments.linear_mnist import public",
     "import only the student side and their own assignment"),
    ("autograde/grading/runner.py", "from autograde.course import config", "grading never imports the course"),
    ("autograde/assignments/deep_mlp/hidden.py", "from autograde.batch import tasks", "grading never imports"),
    ("autograde/sandbox/wire.py", "import nbformat", "inside the sandbox imports only the standard library and numpy"),
    ("autograde/student/loader.py", "from autograde.student import checks", "inside the sandbox imports only"),
    ("autograde/sandbox/proxy.py", "from autograde.batch import record", "layer 2 imports layer 5: arrows point down"),
    ("autograde/course/build.py", "def later():\n    from autograde.reports import grade_table\n",
     "layer 4 imports layer 6"),
    ("data_scripts/mnist.py", "from autograde import kit", "data_scripts imports nothing of autograde"),
]


@pytest.mark.parametrize("path, planted, rule", PLANTED, ids=[f"{p.split('/')[-2]}/{p.split('/')[-1]}-{r[:30]}"
                                                               for p, _, r in PLANTED])
def test_a_planted_bad_import_breaks_its_rule(path, planted, rule):
    files = kit_sources()
    files[path] = files[path] + "\n" + planted + "\n"
    found = violations(files)
    assert found and all(path in problem for problem in found), found
    assert any(rule in problem for problem in found), found
