"""nbgrader preprocessor: replace each grade cell's output with the result of checks run
outside the student's kernel, on the files as submitted.

Registered in ``Autograde.autograde_preprocessors`` after nbgrader executed the notebook and
before ``SaveAutoGrades`` scores it, so the gradebook, the export and the feedback all carry
the trusted result: an error output when a cell earned nothing, otherwise the points earned
as the cell's result (nbgrader's partial credit).

Nothing the kernel did counts, files it wrote included: the checks never read the folder the
notebook ran in. The student's files are those of the submission as it was before any notebook
ran (``GradingContext.submitted``, recorded by the grader that started nbgrader; else the
submission's folder in ``submitted/``), and the provided files those of the release (the
course's ``source/`` folder), never the submission's own copies.
"""
from __future__ import annotations

from pathlib import Path

from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Dict, Instance, Integer, default

from autograde import intake, timing
from autograde.course import config
from autograde.grading import calibration, runner
from autograde.limits import Limits
from autograde.sandbox.context import GradingContext
from autograde.student import outcome, registry
from autograde.student.outcome import CheckOutcome


#: Said under an accuracy check's result, which is not the accuracy the notebook printed above it.
ACCURACY_NOTE = ("This accuracy counts: the autograder trained your code itself, outside your notebook, with the "
                 "assignment's settings and fixed seeds. The accuracy your notebook printed comes from "
                 "its own run (shortened when the notebook is graded), so the two can differ.")


def cell_outputs(outcomes: list[CheckOutcome], max_points: float, accuracy: bool = False,
                 import_failures: dict[str, str] | None = None) -> list:
    """Outputs of one grade cell: the report, then the score (or an error when it is zero). ``accuracy``:
    the cell reports an accuracy check, whose report ends with ACCURACY_NOTE. ``import_failures``: file ->
    why it did not import, said once above the checks it kept from running."""
    text = outcome.render(outcomes, footer="Score from the autograder", import_failures=import_failures)
    if accuracy:
        text += "\n" + ACCURACY_NOTE
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
    secret = Integer(None, allow_none=True, help="The course's grading secret: the checks draw inputs the released "
                                                 "notebook never shows (None: the notebook's)").tag(config=True)

    grading = Instance(GradingContext, help="The grading (``autograde.batch.scratch`` configures it, with the files as "
                                            "submitted); by default one with ``secret``").tag(config=True)

    @default("grading")
    def _process_context(self) -> GradingContext:
        return GradingContext(secret=self.secret)

    def preprocess(self, nb, resources):
        assignment, student = resources["nbgrader"]["assignment"], resources["nbgrader"]["student"]
        limits = Limits(**self.limits)
        groups = {c.metadata["nbgrader"]["grade_id"] for c in nb.cells if c.cell_type == "code" and utils.is_grade(c)}
        student_files, provided_files = self.files_as_submitted(student, assignment)
        with timing.phase("trusted checks (sandbox and training included)"):
            graded = runner.run_files(assignment, student_files, provided_files, limits, groups, self.grading)
        outcomes = graded.outcomes
        # What the grade table and the report read: the files that did not import, the imports the grader lacks.
        nb.metadata["dlkit"] = {"did_not_import": graded.import_failures, "warnings": graded.warnings}
        accuracy = {check.id for check in calibration.accuracy_checks(assignment)}
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
                cell.outputs = cell_outputs(cell_outcomes, points, any(o.id in accuracy for o in cell_outcomes),
                                            graded.import_failures)
            cell.metadata["dlkit"] = {"checks": [o.to_dict() for o in cell_outcomes]}
        return nb, resources

    def files_as_submitted(self, student: str, assignment: str) -> tuple[dict[str, bytes], dict[str, bytes]]:
        """(the student's files as submitted, the provided files as released)."""
        spec = registry.get(assignment)
        folders = CourseDirectory(config=self.config)
        released = Path(folders.format_path(folders.source_directory, ".", assignment))
        provided = intake.read_folder(released, config.IGNORE, only=spec.provided_files)
        recorded = self.grading.files_of(student, assignment)
        if recorded is not None:
            return dict(recorded), provided
        submitted = Path(folders.format_path(folders.submitted_directory, student, assignment))
        return intake.read_folder(submitted, config.IGNORE, only=spec.student_files), provided
