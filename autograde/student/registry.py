"""The assignments installed here: one sub-package of ``autograde.assignments`` each, found, not listed.

On the instructor's machine that is every assignment of the kit; in a student's release, the one
it ships. Adding an assignment is creating its folder, whose ``__init__.py`` declares ``SPEC``.
"""
from __future__ import annotations

import importlib
import pkgutil

from autograde.student.spec import ASSIGNMENTS_PACKAGE, Assignment


def ids() -> list[str]:
    """The ids of the installed assignments, sorted."""
    package = importlib.import_module(ASSIGNMENTS_PACKAGE)
    return sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.ispkg and not m.name.startswith("_"))


class UnknownAssignment(LookupError):
    """No installed assignment has this id (the message names the known ones); ``dlkit`` prints it as one line."""


def get(assignment_id: str) -> Assignment:
    known = ids()
    if assignment_id not in known:
        raise UnknownAssignment(f"unknown assignment {assignment_id!r}; known: {', '.join(known)}")
    spec: Assignment = importlib.import_module(f"{ASSIGNMENTS_PACKAGE}.{assignment_id}").SPEC
    if spec.id != assignment_id:
        raise UnknownAssignment(f"the folder of assignment {assignment_id!r} declares the id {spec.id!r}")
    return spec


def specs() -> list[Assignment]:
    """Every installed assignment, by id."""
    return [get(assignment_id) for assignment_id in ids()]
