"""The grade table: nbgrader's gradebook, with the checks each submission failed and the
submissions that could not be graded (from the ledger of ``dlkit autograde``)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from autograde.batch.ledger import Ledger
from autograde.batch.tasks import GRADED
from autograde.course import config
from autograde.course.commands import tools_on_path
from autograde.errors import UsageError


@dataclass
class Row:
    student: str
    score: float
    max_score: float
    cells: dict[str, float] = field(default_factory=dict)
    outcomes: list[dict] = field(default_factory=list)  # outcomes of every check that ran
    status: str = GRADED  # GRADED, CRASHED or TIMED_OUT (autograde.batch.tasks)
    error: str = ""  # why it could not be graded
    seconds: float | None = None  # how long its grading took, when the ledger knows
    sandboxed: bool = True  # False: graded without bubblewrap (--unsafe-no-sandbox)
    warnings: list[str] = field(default_factory=list)  # what was changed to grade it (an unreadable notebook)

    @property
    def failed(self) -> list[dict]:
        """Outcomes of the checks that failed."""
        return [o for o in self.outcomes if o["fraction"] < 1.0]

    @property
    def checks(self) -> int:
        """How many checks ran."""
        return len(self.outcomes)


def outcomes(notebook_path: Path) -> list[dict]:
    """The trusted check outcomes recorded in an autograded notebook's metadata."""
    if not notebook_path.exists():
        return []
    notebook = nbformat.read(notebook_path, as_version=4)
    return [o for cell in notebook.cells for o in cell.metadata.get("dlkit", {}).get("checks", [])]


def collect(course_dir: Path, assignment_id: str, db_url: str | None = None) -> tuple[list[str], list[Row]]:
    """(grade cell ids, one row per submission) for ``assignment_id``, sorted by student."""
    tools_on_path()
    if db_url is None and not (course_dir / "gradebook.db").is_file():
        raise UsageError(f"{course_dir} has no gradebook.db: is it the course directory (--course-dir)?")
    db_url = config.db_url_of(course_dir, db_url)
    ledger = Ledger(course_dir, assignment_id).latest()
    rows, columns = [], []
    with Gradebook(db_url) as gradebook:
        try:
            assignment = gradebook.find_assignment(assignment_id)
        except MissingEntry:
            raise UsageError(f"the gradebook has no assignment {assignment_id!r}: "
                              f"run `dlkit release {assignment_id}` first") from None
        for notebook in assignment.notebooks:
            columns += [cell.name for cell in notebook.grade_cells]
        for submission in sorted(assignment.submissions, key=lambda s: s.student_id):
            row = Row(submission.student_id, submission.score, submission.max_score)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    row.cells[grade.name] = grade.score
                path = course_dir / "autograded" / submission.student_id / assignment_id / f"{notebook.name}.ipynb"
                row.outcomes += outcomes(path)
            entry = ledger.get(submission.student_id)
            if entry:
                row.status, row.error, row.seconds = entry["status"], entry["error"], entry["seconds"]
                row.sandboxed = entry.get("sandboxed", True)
                row.warnings = entry.get("warnings", [])
            rows.append(row)
    return columns, rows


def table(columns: list[str], rows: list[Row]) -> str:
    """The grade table (student, total, each grade cell), then the checks each submission failed."""
    header = ["student", "total", *columns]
    body = [[r.student, f"{r.score:g}/{r.max_score:g}", *(f"{r.cells.get(c, 0):g}" for c in columns)] for r in rows]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(text.ljust(width) for text, width in zip(line, widths)).rstrip() for line in [header, *body]]
    lines.insert(1, "-" * len(lines[0]))
    lines += ["", "Checks that caught each submission:"]
    for row in rows:
        if row.status != GRADED:
            lines.append(f"  {row.student}: not graded ({row.status}), see below")
        elif not row.failed:
            lines.append(f"  {row.student}: none, all {row.checks} checks passed")
        elif len(row.failed) == row.checks:
            first = row.failed[0]
            same = len({o["message"] for o in row.failed}) == 1
            lines.append(f"  {row.student}: all {row.checks} checks failed"
                         + (f": {first_line(first['message'])}" if same else
                            f"; the first, {first['id']}: {first_line(first['message'])}"))
        else:
            lines.append(f"  {row.student}:")
            lines += [f"    {o['id']}: {first_line(o['message'])}" for o in row.failed]
    not_graded = [row for row in rows if row.status != GRADED]
    if not_graded:
        lines += ["", "Submissions that could not be graded (no score; every cell waits for manual grading;"
                      " `dlkit autograde ASSIGNMENT --force --student ID` tries again):"]
        lines += [f"  {row.student}: {row.status}: {first_line(row.error)}" for row in not_graded]
    warned = [row for row in rows if row.warnings]
    if warned:
        lines += ["", "Graded with a warning:"]
        lines += [f"  {row.student}: {warning}" for row in warned for warning in row.warnings]
    unconfined = [row.student for row in rows if row.status == GRADED and not row.sandboxed]
    if unconfined:
        lines = [f"WARNING: graded WITHOUT a sandbox (--unsafe-no-sandbox, bubblewrap missing): {', '.join(unconfined)}.",
                 "         Their code could read the solutions and change any grade; install bubblewrap and run",
                 "         `dlkit autograde ASSIGNMENT` again to regrade them in the sandbox.", "", *lines]
    return "\n".join(lines)


def first_line(text: str, limit: int = 110) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def to_csv(columns: list[str], rows: list[Row]) -> str:
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(["student", "score", "max_score", *columns, "failed_checks", "status", "sandboxed", "warnings"])
    for r in rows:
        graded = r.status == GRADED  # no score is not a score of 0: the CSV leaves it empty
        writer.writerow([r.student, r.score if graded else "", r.max_score,
                         *(r.cells.get(c, 0) if graded else "" for c in columns),
                         " ".join(o["id"] for o in r.failed), r.status, "yes" if r.sandboxed else "no",
                         " | ".join(r.warnings)])
    return stream.getvalue()
