"""Grades for Canvas's gradebook import (Grades > Import): a CSV in the layout Canvas exports.

Canvas reads the first columns as the student (``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``,
``Section``), every further column as an assignment titled ``Title (canvas id)`` (a title without
an id makes a new assignment), and a row whose first cell is ``Points Possible`` as each
assignment's points. A blank cell changes nothing.

The roster is the gradebook Canvas exports (Grades > Export): it names every student as Canvas knows
them. A kit student (the submission's folder name) is matched to the roster row whose SIS Login ID,
SIS User ID, ID or name equals it, in that order; the assignment's column is the roster's column
whose title is the assignment's id (or names it with ``--canvas-column``), else a new one.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from autograde import printable
from autograde.batch.tasks import SCORED
from autograde.errors import UsageError
from autograde.reports.grade_table import Row

#: The student columns Canvas reads, in the order it exports them.
STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
#: Roster columns a kit student's id is looked up in, first match wins.
MATCHED_BY = ["SIS Login ID", "SIS User ID", "ID", "Student"]


@dataclass
class Export:
    """The CSV for Canvas, and what could not go into it."""

    text: str
    column: str
    unmatched: list[str] = field(default_factory=list)   # kit students with no roster row
    ungraded: list[str] = field(default_factory=list)    # roster students left blank (no graded submission)


def export(assignment_id: str, rows: list[Row], roster_csv: str, column: str | None = None) -> Export:
    """The import file for ``rows`` (``grade_table.collect``) against Canvas's exported ``roster_csv``."""
    roster = list(csv.DictReader(io.StringIO(roster_csv.lstrip("\ufeff"))))
    header = list(roster[0].keys()) if roster else []
    if not {"Student", "ID"} <= set(header):
        raise UsageError("the roster is not a gradebook exported from Canvas (Grades > Export): its first row "
                         f"must name the columns Student and ID, it has {', '.join(header[:6]) or 'none'}")
    students = [r for r in roster if r.get("Student", "").strip() and "Points Possible" not in r["Student"]]
    column = column or next((h for h in header if h == assignment_id or h.startswith(f"{assignment_id} (")),
                            assignment_id)
    by_key: dict[str, dict] = {}
    for key in reversed(MATCHED_BY):  # earlier keys win
        for student in students:
            if student.get(key, "").strip():
                by_key[student[key].strip()] = student
    scores: dict[int, float] = {}
    unmatched = []
    for row in rows:
        student = by_key.get(row.student)
        if student is None:
            unmatched.append(row.student)
        elif row.status in SCORED:
            scores[id(student)] = row.score
    maximum = max((row.max_score for row in rows), default=0.0)
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(map(printable.cell, [*STUDENT_COLUMNS, column]))
    writer.writerow(["    Points Possible", "", "", "", "", f"{maximum:g}"])
    for student in students:
        score = scores.get(id(student))
        writer.writerow([printable.cell(student.get(name, "")) for name in STUDENT_COLUMNS]
                        + ["" if score is None else f"{score:g}"])
    return Export(stream.getvalue(), column, unmatched, [s["Student"] for s in students if id(s) not in scores])
