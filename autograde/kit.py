"""The kit's own folders. A leaf: it imports nothing of the kit, and every layer may import it.

Only instructor-side code uses these paths (a release holds none of these folders).
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

#: The kit's checkout.
REPO = Path(__file__).resolve().parent.parent
#: Reference solutions with ``### BEGIN SOLUTION`` / ``### END SOLUTION`` markers, one folder per assignment.
SOLUTIONS = REPO / "solutions"
#: Generated from SOLUTIONS by ``dlkit starter``.
STARTER = REPO / "starter"
#: nbgrader source notebooks, one folder per assignment.
NOTEBOOKS = REPO / "notebooks"
#: One folder per assignment: its spec, checks, panel recipes, training constants and the catalogue of bugs and
#: correct alternatives that tests its checks (``catalogue/``).
ASSIGNMENTS = REPO / "autograde" / "assignments"
#: Where ``dlkit`` builds the course by default.
BUILD = REPO / "build"


#: What a command needs beyond the wheel a student installs (setup.py): the reference solutions alone
#: ("solutions": `dlkit starter` writes starter/ from them), with the hidden checks ("grading": a checkout, or
#: the instructor's wheel), or the checkout's folders too ("checkout").
NEEDS = ("solutions", "grading", "checkout")


def is_checkout() -> bool:
    """Whether the kit runs from its checkout (a clone, an editable install), not from an installed wheel, whose
    REPO is a site-packages folder."""
    return (REPO / "pyproject.toml").is_file()


def importable(module: str) -> bool:
    """Whether ``module`` can be imported here (its files may be there and yet not on the path: a strict
    editable install maps only what its build listed)."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its package is missing too
        return False


def missing(needs: str, assignment_ids) -> list[str]:
    """What ``needs`` of ``assignment_ids`` asks for and this installation lacks: folders (kit-relative), and
    the solutions and hidden checks that are there but cannot be imported (by module name)."""
    assert needs in NEEDS, needs
    roots = [SOLUTIONS, *([NOTEBOOKS, STARTER] if needs == "checkout" else [])]
    found = [root for root in roots if not root.is_dir()]
    modules = ["solutions"] if SOLUTIONS.is_dir() else []
    for assignment_id in assignment_ids:
        hidden = ASSIGNMENTS / assignment_id / "hidden"
        if needs != "solutions":
            if (hidden / "__init__.py").is_file() or hidden.with_suffix(".py").is_file():
                modules.append(f"autograde.assignments.{assignment_id}.hidden")
            else:
                found.append(hidden)
        found += [root / assignment_id for root in roots if root.is_dir() and not (root / assignment_id).is_dir()]
        if (SOLUTIONS / assignment_id).is_dir():
            modules.append(f"solutions.{assignment_id}")
    unreachable = [f"{module} (not importable)" for module in modules if not importable(module)]
    return [str(path.relative_to(REPO) if path.is_relative_to(REPO) else path) for path in found] + unreachable


def lacking(what: str, needs: str, assignment_ids) -> str | None:
    """Why ``what`` cannot run with this installation of the kit (``missing``), or None when it can. A student's
    wheel has no solutions and no hidden checks: grading without them would give wrong scores."""
    found = missing(needs, assignment_ids)
    if not found:
        return None
    shown = ", ".join(found[:4]) + (f" and {len(found) - 4} more" if len(found) > 4 else "")
    if needs == "grading":
        return (f"{what} needs the reference solutions and the hidden checks, which this installation of the kit "
                f"({REPO}) lacks ({shown}); a student's wheel of the kit leaves them out. Grade from a clone of the "
                "kit (pip install -e '.[instructor]' there), or install the instructor's wheel (in a clone: "
                "DLKIT_WHEEL=instructor pip install '.[instructor]')")
    return (f"{what} works on the kit's checkout (notebooks/, starter/, solutions/), which this installation "
            f"({REPO}) lacks ({shown}): run it in a clone of the kit (pip install -e '.[instructor]' there)")


def solutions(assignment_id: str) -> Path:
    return SOLUTIONS / assignment_id


def starter(assignment_id: str) -> Path:
    return STARTER / assignment_id
