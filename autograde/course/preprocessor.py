"""nbgrader preprocessor: replace each grade cell's output with the result of checks run
outside the student's kernel.

Registered in ``Autograde.autograde_preprocessors`` after nbgrader executed the notebook and
before ``SaveAutoGrades`` scores it, so the gradebook, the export and the feedback all carry
the trusted result: an error output when a cell earned nothing, otherwise the points earned
as the cell's result (nbgrader's partial credit).
"""
from __future__ import annotations

from pathlib import Path

from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Dict

from autograde.grading import runner
from autograde.limits import Limits
from autograde.student import outcome
from autograde.student.outcome import CheckOutcome


def cell_outputs(outcomes: list[CheckOutcome], max_points: float) -> list:
    """Outputs of one grade cell: the report, then the score (or an error when it is zero)."""
    text = outcome.render(outcomes, footer="Score from the autograder")
    score = min(outcome.earned(outcomes), max_points)
    if score <= 0:
        return [new_output("error", ename="ChecksFailed", evalue="no check of this cell passed", traceback=[text])]
    return [
        new_output("stream", name="stdout", text=text + "\n"),
        new_output("execute_result", data={"text/plain": repr(float(score))}, execution_count=None),
    ]


class TrustedChecks(NbGraderPreprocessor):
    """Re-run every grade cell's checks outside the kernel and overwrite the cell's outputs."""

    limits = Dict(help="What grading may use: the fields of autograde.limits.Limits (the rest keep their "
                       "defaults)").tag(config=True)

    def preprocess(self, nb, resources):
        assignment = resources["nbgrader"]["assignment"]
        folder = Path(resources["metadata"]["path"])
        limits = Limits(**self.limits)
        groups = {c.metadata["nbgrader"]["grade_id"] for c in nb.cells if c.cell_type == "code" and utils.is_grade(c)}
        outcomes = runner.run(assignment, folder, limits, groups).outcomes
        by_group: dict[str, list[CheckOutcome]] = {}
        for result in outcomes:
            by_group.setdefault(result.group, []).append(result)
        for cell in nb.cells:
            if cell.cell_type != "code" or not utils.is_grade(cell):
                continue
            group = cell.metadata["nbgrader"]["grade_id"]
            points = float(cell.metadata["nbgrader"]["points"])
            cell_outcomes = by_group.get(group, [])
            if not cell_outcomes:
                text = f"no checks are registered for grade cell {group!r}; ask your instructor"
                cell.outputs = [new_output("error", ename="NoChecks", evalue=text, traceback=[text])]
            else:
                cell.outputs = cell_outputs(cell_outcomes, points)
            cell.metadata["dlkit"] = {"checks": [o.to_dict() for o in cell_outcomes]}
        return nb, resources
