"""The kit's own folders. A leaf: it imports nothing of the kit, and every layer may import it.

Only instructor-side code uses these paths (a release holds none of these folders).
"""
from __future__ import annotations

from pathlib import Path

#: The kit's checkout.
REPO = Path(__file__).resolve().parent.parent
#: Reference solutions with ``### BEGIN SOLUTION`` / ``### END SOLUTION`` markers, one folder per assignment.
SOLUTIONS = REPO / "solutions"
#: Generated from SOLUTIONS by ``dlkit starter``.
STARTER = REPO / "starter"
#: nbgrader source notebooks, one folder per assignment.
NOTEBOOKS = REPO / "notebooks"
#: One folder per assignment: its spec, checks, panel recipes and training constants.
ASSIGNMENTS = REPO / "autograde" / "assignments"
#: The bug catalogue and the correct alternatives that test the checks.
CATALOGUE = REPO / "tests" / "catalogue"
#: Where ``dlkit`` builds the course by default.
BUILD = REPO / "build"


def solutions(assignment_id: str) -> Path:
    return SOLUTIONS / assignment_id


def starter(assignment_id: str) -> Path:
    return STARTER / assignment_id
