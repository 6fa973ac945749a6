"""What a grade cell in a student's notebook calls: ``check_group("softmax_gradient")``.

It imports the student's modules fresh from the notebook's folder, runs the group's public
checks (and its hidden checks where they are installed: on the instructor's machine, never
in a release), prints what passed and what failed with hints, and raises when a check
failed so that the cell shows an error. At autograding the grader runs the same checks
again outside the notebook and replaces this cell's output with its own result.
"""
from __future__ import annotations

from pathlib import Path

from autograde.student import checks, modules, outcome, registry


class ChecksFailed(AssertionError):
    """Some checks of a grade cell failed; the message lists them."""


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
    code = modules.load(assignment_id, Path(folder))
    outcomes = [outcome.CheckOutcome.of(c, c.run(code)) for c in selected]
    text = outcome.render(outcomes)
    failed = [o for o in outcomes if not o.passed]
    if failed:
        raise ChecksFailed(f"{len(failed)} of {len(outcomes)} checks failed\n{text}")
    print(text)
