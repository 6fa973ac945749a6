"""The suite's own assertions can fail: no test asserts a constant, compares an expression with itself, or
asserts nothing (a test's checks are ``assert``, ``pytest.raises`` or a helper named ``assert_*``/``check_*``,
which raises when what it checks does not hold)."""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
#: Helpers that raise when what they check does not hold, beside the ``assert_*`` and ``check_*`` ones.
CHECKING_HELPERS = {"raises", "fail", "survive"}


def _checks(node: ast.AST) -> bool:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Assert):
            return True
        if isinstance(inner, ast.Call):
            name = ast.unparse(inner.func).split(".")[-1]
            if name in CHECKING_HELPERS or name.startswith(("assert_", "check_")):
                return True
    return False


def _same(a: ast.AST, b: ast.AST) -> bool:
    return not isinstance(a, ast.Constant) and ast.dump(a) == ast.dump(b)


def _root(node: ast.AST) -> str | None:
    """The name an expression reads from: ``totals`` in ``totals.group(5)``."""
    while isinstance(node, (ast.Call, ast.Attribute, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def problems(source: str) -> list[str]:
    """What cannot fail in the test module ``source``, one line each."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assert):
            test = node.test
            if isinstance(test, ast.Constant):
                found.append(f"line {node.lineno}: asserts a constant")
            if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or) and any(
                    isinstance(value, ast.Constant) and value.value for value in test.values):
                found.append(f"line {node.lineno}: 'or' with a true constant")
            if isinstance(test, ast.Compare) and len(test.ops) == 1:
                left, right = test.left, test.comparators[0]
                if _same(left, right):
                    found.append(f"line {node.lineno}: compares {ast.unparse(left)} with itself")
                elif isinstance(left, (ast.Tuple, ast.List)) and isinstance(right, (ast.Tuple, ast.List)):
                    found += [f"line {node.lineno}: compares {ast.unparse(a)} with itself"
                              for a, b in zip(left.elts, right.elts) if _same(a, b)]
                elif isinstance(right, (ast.Tuple, ast.List)) and _root(left) is not None:
                    # ``totals.groups() == (..., totals.group(5), ...)``: a part of the value is its own expectation
                    found += [f"line {node.lineno}: expects {ast.unparse(part)}, a part of {ast.unparse(left)}"
                              for part in right.elts if _root(part) == _root(left)
                              and isinstance(part, (ast.Call, ast.Attribute, ast.Subscript))]
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_") and not _checks(node):
            found.append(f"line {node.lineno}: {node.name} checks nothing")
    return sorted(found, key=lambda line: int(line.split()[1].rstrip(":")))


def test_no_assertion_of_the_suite_is_one_that_cannot_fail():
    found = {path.relative_to(TESTS).as_posix(): problems(path.read_text()) for path in sorted(TESTS.rglob("test_*.py"))}
    assert {path: lines for path, lines in found.items() if lines} == {}


def test_the_audit_finds_each_kind_of_assertion_that_cannot_fail():
    source = '''
def test_self_comparison():
    assert digest("a") == digest("a")

def test_element_compared_with_itself(totals):
    assert totals.groups() == (1, totals.group(5))

def test_constant():
    assert True

def test_or_true(x):
    assert x == 1 or True

def test_nothing():
    compute()

def test_fine(x):
    assert x == 2
'''
    assert [line.split(":")[0] for line in problems(source)] == ["line 3", "line 6", "line 9", "line 12", "line 14"]
