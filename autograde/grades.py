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
    failed: list[dict] = field(default_factory=list)  # outcomes of the checks that failed
    checks: int = 0  # how many checks ran


def failed_checks(notebook_path: Path) -> tuple[list[dict], int]:
    """(failed check outcomes, number of checks) from an autograded notebook's metadata."""
    if not notebook_path.exists():
        return [], 0
    notebook = nbformat.read(notebook_path, as_version=4)
    outcomes = [o for cell in notebook.cells for o in cell.metadata.get("dlkit", {}).get("checks", [])]
    return [o for o in outcomes if o["fraction"] < 1.0], len(outcomes)


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
                failed, count = failed_checks(path)
                row.failed += failed
                row.checks += count
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
        if not row.failed:
            lines.append(f"  {row.student}: none, all {row.checks} checks passed")
        elif len(row.failed) == row.checks:
            first = row.failed[0]
            same = len({o["message"] for o in row.failed}) == 1
            lines.append(f"  {row.student}: all {row.checks} checks failed"
                         + (f": {_first_line(first['message'])}" if same else
                            f"; the first, {first['id']}: {_first_line(first['message'])}"))
        else:
            lines.append(f"  {row.student}:")
            lines += [f"    {o['id']}: {_first_line(o['message'])}" for o in row.failed]
    return "\n".join(lines)


def _first_line(text: str, limit: int = 110) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def to_csv(columns: list[str], rows: list[Row]) -> str:
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(["student", "score", "max_score", *columns, "failed_checks"])
    for r in rows:
        writer.writerow([r.student, r.score, r.max_score, *(r.cells.get(c, 0) for c in columns), " ".join(o["id"] for o in r.failed)])
    return stream.getvalue()
