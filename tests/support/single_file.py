"""Helpers for the tests of assignments whose student code is one file: a submission is the
reference (or the starter) with one realistic mistake patched in."""
from __future__ import annotations

import shutil

from autograde.student import modules
from autograde.student import registry
from autograde.kit import REPO
from autograde.student.outcome import CheckOutcome


def submission(tmp_path, assignment_id: str, source: str = "solutions", old="", new: str = ""):
    """A copy of ``source``/<assignment> (without package files), with ``old`` replaced by ``new``
    in the student file; ``old`` may instead be a list of (old, new) pairs."""
    folder = tmp_path / "submission"
    shutil.copytree(REPO / source / assignment_id, folder, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    [student_file] = registry.get(assignment_id).student_files
    path = folder / student_file
    for before, after in (old if isinstance(old, list) else [(old, new)] if old else []):
        assert before in path.read_text(), before
        path.write_text(path.read_text().replace(before, after))
    return folder


def outcomes(assignment_id: str, folder, selected) -> dict[str, CheckOutcome]:
    """Each check of ``selected`` run on the submission in ``folder``, by the check's short name."""
    code = modules.student_code(assignment_id, folder)
    return {c.name: CheckOutcome.of(c, c.run(code)) for c in selected}


def failed_by_one_planted_output(tmp_path, assignment_id: str, old: str, new: str) -> set[str]:
    """The checks, public and hidden (the accuracy ones aside), that the reference fails with ``old``
    replaced by ``new``: one wrong output must cost the checks that grade it, and no other."""
    from autograde.authoring.selftest import accuracy_groups
    from autograde.student import checks

    training = accuracy_groups(assignment_id)
    every = [c for c in checks.load(assignment_id, hidden=True) if c.group not in training]
    results = outcomes(assignment_id, submission(tmp_path, assignment_id, "solutions", old, new), every)
    return {name for name, outcome in results.items() if not outcome.passed}
