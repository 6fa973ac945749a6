"""What a grade cell in a student's notebook calls: ``check_group("softmax_gradient")``.

It imports the student's modules fresh from the notebook's folder, runs the group's public
checks (and its hidden checks where they are installed: on the instructor's machine, never
in a release), prints what passed and what failed with hints, and raises when a check
failed so that the cell shows an error. At autograding the grader runs the same checks
again outside the notebook and replaces this cell's output with its own result.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from autograde import assignments, checks, report, student


class ChecksFailed(AssertionError):
    """Some checks of a grade cell failed; the message lists them."""


def _public_checks_installed(assignment_id: str) -> bool:
    try:
        return importlib.util.find_spec(assignments.get(assignment_id).public_checks) is not None
    except ModuleNotFoundError:  # the assignment's checks package itself is absent
        return False


def _assignment_of(group: str, folder: Path) -> str:
    """The assignment whose files are in ``folder`` and which has checks in ``group``."""
    present = [a.id for a in assignments.ASSIGNMENTS.values() if all((folder / f).is_file() for f in a.student_files)]
    # A release ships the checks of its own assignment only.
    installed = [a for a in assignments.ASSIGNMENTS if _public_checks_installed(a)]
    with_group = [a for a in installed if any(c.group == group for c in checks.load(a))]
    candidates = [a for a in with_group if a in present] or with_group or present
    if len(candidates) == 1:
        return candidates[0]
    raise KeyError(f"cannot tell which assignment's checks {group!r} means for the files in {folder.resolve()}")


def check_group(group: str, hidden: bool = False, folder: str | Path = ".") -> None:
    """Run the checks of grade cell ``group`` on the code in ``folder``; raise ChecksFailed on failure.

    ``hidden=True`` runs the group's hidden checks instead, where they are installed;
    elsewhere it only says that the autograder runs them.
    """
    assignment_id = _assignment_of(group, Path(folder))
    if hidden and not checks.hidden_checks_installed(assignment_id):
        print("Hidden checks of this cell run when your submission is graded.")
        return
    selected = [c for c in checks.load(assignment_id, hidden=hidden) if c.group == group and c.hidden == hidden]
    code = student.load(assignment_id, Path(folder))
    outcomes = [report.CheckOutcome.of(c, c.run(code)) for c in selected]
    text = report.render(outcomes)
    failed = [o for o in outcomes if not o.passed]
    if failed:
        raise ChecksFailed(f"{len(failed)} of {len(outcomes)} checks failed\n{text}")
    print(text)
