"""The grade table: nbgrader's gradebook, with the checks each submission failed."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook


@dataclass
class Row:
    student: str
    score: float
    max_score: float
    cells: dict[str, float] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)


def failed_checks(notebook_path: Path) -> list[str]:
    """Ids of the checks the trusted grader failed, from the autograded notebook's metadata."""
    if not notebook_path.exists():
        return []
    notebook = nbformat.read(notebook_path, as_version=4)
    return [
        outcome["id"]
        for cell in notebook.cells
        for outcome in cell.metadata.get("dlkit", {}).get("checks", [])
        if outcome["fraction"] < 1.0
    ]


def collect(course_dir: Path, assignment_id: str, db_url: str | None = None) -> tuple[list[str], list[Row]]:
    """(grade cell ids, one row per submission) for ``assignment_id``, sorted by student."""
    from autograde.course import tools_on_path

    tools_on_path()
    db_url = db_url or f"sqlite:///{(course_dir / 'gradebook.db').resolve()}"
    rows, columns = [], []
    with Gradebook(db_url) as gradebook:
        assignment = gradebook.find_assignment(assignment_id)
        for notebook in assignment.notebooks:
            columns += [cell.name for cell in notebook.grade_cells]
        for submission in sorted(assignment.submissions, key=lambda s: s.student_id):
            row = Row(submission.student_id, submission.score, submission.max_score)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    row.cells[grade.name] = grade.score
                path = course_dir / "autograded" / submission.student_id / assignment_id / f"{notebook.name}.ipynb"
                row.failed += failed_checks(path)
            rows.append(row)
    return columns, rows


def table(columns: list[str], rows: list[Row]) -> str:
    """A fixed-width text table: student, total, each grade cell, the failed checks."""
    header = ["student", "total", *columns, "failed checks"]
    body = [
        [r.student, f"{r.score:g}/{r.max_score:g}", *(f"{r.cells.get(c, 0):g}" for c in columns),
         ", ".join(r.failed) or "-"]
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header) - 1)]
    lines = []
    for line in [header, *body]:
        cells = [text.ljust(width) for text, width in zip(line, widths)]
        lines.append("  ".join(cells + [line[-1]]))
    lines.insert(1, "-" * max(len(lines[0]), 20))
    return "\n".join(lines)


def to_csv(columns: list[str], rows: list[Row]) -> str:
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(["student", "score", "max_score", *columns, "failed_checks"])
    for r in rows:
        writer.writerow([r.student, r.score, r.max_score, *(r.cells.get(c, 0) for c in columns), " ".join(r.failed)])
    return stream.getvalue()
