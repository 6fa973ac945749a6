"""The bug catalogue (autograde/assignments/<assignment>/catalogue/bugs.toml) as parametrized tests of an assignment's checks, run in-process."""
from __future__ import annotations

import warnings

import pytest

from autograde.authoring import catalogue
from autograde.student import modules
from autograde.student.outcome import CheckOutcome, render


def cases(assignment_id: str, selected) -> list:
    """A pytest parameter per catalogued bug of ``assignment_id`` that the ``selected`` checks must catch."""
    names = {c.name for c in selected}
    return [pytest.param(bug, id=bug.name) for bug in catalogue.bugs(assignment_id) if set(bug.caught_by) <= names]


def assert_caught(tmp_path, bug: catalogue.Bug, selected) -> dict[str, CheckOutcome]:
    """Run ``selected`` on the reference with ``bug`` patched in: every check of ``caught_by`` fails,
    and one of them gives a hint with the catalogued words."""
    code = modules.student_code(bug.assignment, catalogue.submission(bug, tmp_path / "submission"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the overflows of unstable softmaxes, on purpose
        results = {c.name: CheckOutcome.of(c, c.run(code)) for c in selected}
    unknown = set(bug.caught_by) - set(results)
    assert not unknown, f"{bug.label}: caught_by names no check of {bug.assignment}: {sorted(unknown)}"
    passed = [name for name in bug.caught_by if results[name].passed]
    assert not passed, f"{bug.label} ({bug.description}) passed {passed}"
    if bug.hint:
        hints = [results[name].hint or "" for name in bug.caught_by]
        assert any(bug.hint in hint for hint in hints), (
            f"{bug.label}: no hint of {list(bug.caught_by)} mentions {bug.hint!r}:\n"
            + render([results[name] for name in bug.caught_by]))
    return results
