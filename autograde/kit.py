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


#: What a command needs beyond the wheel a student installs (setup.py): the reference solutions alone
#: ("solutions": `dlkit starter` writes starter/ from them), with the hidden checks ("grading": a checkout, or
#: the instructor's wheel), or the checkout's folders too ("checkout").
NEEDS = ("solutions", "grading", "checkout")


def missing(needs: str, assignment_ids) -> list[str]:
    """The folders that ``needs`` of ``assignment_ids`` asks for and this installation lacks (kit-relative)."""
    assert needs in NEEDS, needs
    roots = [SOLUTIONS, *([NOTEBOOKS, STARTER] if needs == "checkout" else [])]
    found = [root for root in roots if not root.is_dir()]
    for assignment_id in assignment_ids:
        hidden = ASSIGNMENTS / assignment_id / "hidden"
        if needs != "solutions" and not ((hidden / "__init__.py").is_file() or hidden.with_suffix(".py").is_file()):
            found.append(hidden)
        found += [root / assignment_id for root in roots if root.is_dir() and not (root / assignment_id).is_dir()]
    return [str(path.relative_to(REPO) if path.is_relative_to(REPO) else path) for path in found]


def lacking(what: str, needs: str, assignment_ids) -> str | None:
    """Why ``what`` cannot run with this installation of the kit (``missing``), or None when it can. A student's
    wheel has no solutions and no hidden checks: grading without them would give wrong scores."""
    found = missing(needs, assignment_ids)
    if not found:
        return None
    shown = ", ".join(found[:4]) + (f" and {len(found) - 4} more" if len(found) > 4 else "")
    if needs == "grading":
        return (f"{what} needs the reference solutions and the hidden checks, which this installation of the kit "
                f"({REPO}) does not hold ({shown}): a student's wheel leaves them out. Run it from a clone of the kit "
                "(pip install -e '.[instructor]'), or install the instructor's wheel (DLKIT_WHEEL=instructor pip "
                "wheel .)")
    return (f"{what} works on the kit's checkout (notebooks/, starter/, solutions/), which this installation "
            f"({REPO}) does not hold ({shown}): run it in a clone of the kit (pip install -e '.[instructor]')")


def solutions(assignment_id: str) -> Path:
    return SOLUTIONS / assignment_id


def starter(assignment_id: str) -> Path:
    return STARTER / assignment_id
