"""What a grade cell in a student's notebook calls: ``check_group("softmax_gradient")``.

It imports the student's modules fresh from the notebook's folder, runs the group's public
checks (and its hidden checks where they are installed: on the instructor's machine, never
in a release) and prints what passed and what failed with hints, on stderr when a check
failed so that the notebook shows the report in its error colours. It never raises for a
failed check: Run All goes on through the rest of the notebook and its panel, and the cell
shows the report alone, without a traceback into the kit. The last line says which points
the notebook checked and how many more the hidden checks decide at grading. At autograding
the grader runs every check again outside the notebook and replaces this cell's output with
its own result.
"""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from autograde.student import checks, environment, modules, outcome, registry

#: Written by the release next to the assignment's public checks: the points of each grade cell,
#: hidden checks included (a release ships without them, so it cannot add them up itself).
POINTS_FILE = "points.json"


class ChecksFailed(AssertionError):
    """Some checks of a grade cell failed (the grader's error output when a cell earns nothing)."""


def group_points(assignment_id: str, group: str) -> float | None:
    """The points of grade cell ``group``, hidden checks included: added up where the hidden checks are
    installed, else read from the release's ``points.json``; None when neither is there."""
    installed = checks.hidden_checks_installed(assignment_id)
    if installed:
        return sum(c.points for c in checks.load(assignment_id, hidden=installed) if c.group == group)
    found = importlib.util.find_spec(registry.get(assignment_id).package)
    if found is None or not found.submodule_search_locations:
        return None
    path = Path(list(found.submodule_search_locations)[0]) / POINTS_FILE
    try:
        return float(json.loads(path.read_text())[group])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def score_line(outcomes: list[outcome.CheckOutcome], total: float | None) -> str:
    """``Public checks: 2 of 2 points; 1 more point is checked at grading``: what the notebook checked,
    and what the hidden checks (``total`` less the public points) decide when the submission is graded."""
    possible = sum(o.points for o in outcomes)
    hidden = any(o.hidden for o in outcomes)
    line = (f"{'Hidden' if hidden else 'Public'} checks: {outcome.earned(outcomes):g} of {possible:g} "
            f"point{'' if possible == 1 else 's'}")
    more = 0.0 if total is None or hidden else round(total - possible, 6)
    if more > 0:
        line += f"; {more:g} more point{'' if more == 1 else 's'} {'is' if more == 1 else 'are'} checked at grading"
    return line


def _assignment_of(group: str, folder: Path) -> str:
    """The assignment whose files are in ``folder`` and which has checks in ``group``.

    A release holds its own assignment only; the kit holds them all.
    """
    specs = registry.specs()
    present = [a.id for a in specs if all((folder / f).is_file() for f in a.student_files)]
    with_group = [a.id for a in specs
                  if checks.public_checks_installed(a.id) and any(c.group == group for c in checks.load(a.id))]
    candidates = [a for a in with_group if a in present] or with_group or present
    if len(candidates) == 1:
        return candidates[0]
    raise registry.UnknownAssignment(f"cannot tell which assignment's checks {group!r} means for the files in "
                                     f"{folder.resolve()}")


def check_group(group: str, hidden: bool = False, folder: str | Path = ".") -> None:
    """Run the checks of grade cell ``group`` on the code in ``folder`` and print the report: on stdout
    when every check passed, on stderr (the notebook's error colours) when one failed. Never raises
    for a failed check, so that Run All carries on.

    ``hidden=True`` runs the group's hidden checks instead, where they are installed;
    elsewhere it only says that the autograder runs them.
    """
    assignment_id = _assignment_of(group, Path(folder))
    if hidden and not checks.hidden_checks_installed(assignment_id):
        print("Hidden checks of this cell run when your submission is graded.")
        return
    selected = [c for c in checks.load(assignment_id, hidden=hidden) if c.group == group and c.hidden == hidden]
    _warn(unavailable_imports(assignment_id, Path(folder)))
    code = modules.student_code(assignment_id, Path(folder))
    outcomes = [outcome.CheckOutcome.of(c, c.run(code)) for c in selected]
    text = outcome.render(outcomes, footer=None, import_failures=code.import_failures)
    failed = [o for o in outcomes if not o.passed]
    text += "\n" + score_line(outcomes, None if hidden else group_points(assignment_id, group))
    if failed:
        sys.stdout.flush()
        print(f"{len(failed)} of {len(outcomes)} checks failed\n{text}", file=sys.stderr, flush=True)
    else:
        print(text, flush=True)


def unavailable_imports(assignment_id: str, folder: Path) -> list[str]:
    """What ``environment.unavailable_imports`` finds in the student's files in ``folder``, one message each."""
    spec = registry.get(assignment_id)
    return environment.unavailable_messages(spec.student_files, spec.files, modules.sources(folder, spec.student_files),
                                            modules.local_modules(folder, spec.files))


def _warn(messages: list[str]) -> None:
    if messages:
        sys.stdout.flush()
        print("\n".join(f"WARNING: {message}" for message in messages), file=sys.stderr, flush=True)


def check_imports(folder: str | Path = ".") -> None:
    """Say, before anything runs, which imports of the student's files in ``folder`` the grader cannot satisfy
    (the notebook's first cell calls it): one warning per package, on stderr; nothing when all is well."""
    folder = Path(folder)
    specs = [a for a in registry.specs() if checks.public_checks_installed(a.id)
             and all((folder / f).is_file() for f in a.student_files)]
    if len(specs) == 1:
        _warn(unavailable_imports(specs[0].id, folder))
