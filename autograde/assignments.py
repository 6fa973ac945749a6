"""The assignments of the kit and the files each one is made of.

Shipped with every release: the notebook helper uses it to find the student's modules.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Assignment:
    id: str
    #: Modules students edit (``solutions/<id>/<name>.py`` -> ``starter/<id>/<name>.py``).
    student_modules: tuple[str, ...]
    #: Modules given to students complete; restored from the source at autograding.
    provided_modules: tuple[str, ...]
    #: nbgrader notebooks (without .ipynb) in ``notebooks/<id>/``.
    notebooks: tuple[str, ...]

    @property
    def public_checks(self) -> str:
        return f"autograde.checks.{self.id}.public"

    @property
    def hidden_checks(self) -> str:
        return f"autograde.checks.{self.id}.hidden"

    @property
    def modules(self) -> tuple[str, ...]:
        return self.student_modules + self.provided_modules


ASSIGNMENTS = {
    a.id: a
    for a in [
        Assignment("softmax_mlp", ("softmax_classifier",), ("softmax_training",), ("softmax",)),
    ]
}


def get(assignment_id: str) -> Assignment:
    try:
        return ASSIGNMENTS[assignment_id]
    except KeyError:
        raise KeyError(f"unknown assignment {assignment_id!r}; known: {', '.join(sorted(ASSIGNMENTS))}") from None
