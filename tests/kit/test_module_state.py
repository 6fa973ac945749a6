"""No module-level mutable state in the grader's packages: what one grading carries travels in its
``GradingContext`` (autograde/sandbox/context.py), a batch's hosts in its ``HostPool``, a held course
lock in its ``CourseLock``, never in a module global that is correct only because each grading runs
in a process of its own.

Every module of ``grading/``, ``sandbox/``, ``course/`` and ``batch/`` is parsed with ``ast``: a
``global`` statement, or an assignment at module or class level whose value is a mutable container
(a list, dict or set display or comprehension, or a call of ``list``, ``dict``, ``set``, ``defaultdict``
and the like), fails the test. Constants are tuples, frozensets and ``types.MappingProxyType``.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("grading", "sandbox", "course", "batch")
MUTABLE_CALLS = {"list", "dict", "set", "defaultdict", "OrderedDict", "deque", "bytearray", "Counter"}


def _mutable(value: ast.expr | None) -> bool:
    if isinstance(value, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)):
        return True
    if isinstance(value, ast.Call):
        function = value.func
        name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
        return name in MUTABLE_CALLS
    return False


def findings(source: str, name: str) -> list[str]:
    """Each ``global`` and each module- or class-level mutable in ``source`` (the file ``name``), as a line."""
    tree = ast.parse(source, name)
    found = [f"{name}:{node.lineno}: global {', '.join(node.names)}"
             for node in ast.walk(tree) if isinstance(node, ast.Global)]
    bodies = [("module", tree.body)] + [(f"class {node.name}", node.body)
                                        for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    for where, body in bodies:
        for statement in body:
            if isinstance(statement, (ast.Assign, ast.AnnAssign)) and _mutable(statement.value):
                found.append(f"{name}:{statement.lineno}: {where} holds a mutable: {ast.unparse(statement)[:80]}")
    return found


def test_the_grader_keeps_no_state_in_module_globals():
    found = []
    for package in PACKAGES:
        for path in sorted((REPO / "autograde" / package).rglob("*.py")):
            found += findings(path.read_text(), path.relative_to(REPO).as_posix())
    assert not found, "state belongs in an object passed down (GradingContext, HostPool), not here:\n" + "\n".join(found)


@pytest.mark.parametrize("planted", [
    "FAULTS: list[str] = []",                          # was sandbox/process.py
    "_held = {}",                                      # was batch/ledger.py
    "_hosts = set()",                                  # was batch/hosts.py (now batch/pool.py)
    "class TrustedChecks:\n    submitted: dict = {}",  # was course/preprocessor.py
    "def stop():\n    global _template\n    _template = None",  # was sandbox/kernel.py
    "SEEN = collections.defaultdict(list)",
])
def test_each_kind_of_module_state_is_found(planted):
    assert findings(planted, "planted.py")


@pytest.mark.parametrize("constant", [
    "IGNORE = ('.ipynb_checkpoints', '*.pyc')",
    "ALLOWED = frozenset({'a', 'b'})",
    "NAMES = types.MappingProxyType({'a': 'b'})",
    "def f():\n    seen = []\n    return seen",
])
def test_constants_and_locals_are_not_state(constant):
    assert findings(constant, "constant.py") == []
