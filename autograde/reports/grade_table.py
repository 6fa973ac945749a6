"""The grade table: nbgrader's gradebook, with the checks each submission failed and the
submissions that could not be graded (from the ledger of ``dlkit autograde``)."""
from __future__ import annotations

import collections
import csv
import datetime
import io
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from autograde import printable
from autograde.batch.ledger import Ledger
from autograde.batch.tasks import DID_NOT_IMPORT, SCORED, Status
from autograde.course import config, submissions
from autograde.course.commands import tools_on_path
from autograde.errors import UsageError
from autograde.student import registry
from autograde.student.outcome import CheckState, state_of


@dataclass
class Row:
    student: str
    score: float
    max_score: float
    cells: dict[str, float] = field(default_factory=dict)
    outcomes: list[dict] = field(default_factory=list)  # outcomes of every check that ran
    status: Status = Status.GRADED
    error: str = ""  # why it could not be graded, or which files did not import (one line each)
    seconds: float | None = None  # how long its grading took, when the ledger knows
    sandboxed: bool = True  # False: graded without bubblewrap (--unsafe-no-sandbox)
    warnings: list[str] = field(default_factory=list)  # what was changed to grade it (an unreadable notebook)
    notebooks: dict[str, tuple[float, float]] = field(default_factory=dict)  # notebook -> (score, max score)
    timestamp: datetime.datetime | None = None  # when it was handed in (UTC), as nbgrader recorded it
    time_source: str = ""  # where that time came from (``submissions.time_source``): what the student cannot set
    seconds_late: float = 0.0  # past the due date (``dlkit release --due``), extensions included

    @property
    def scored(self) -> bool:
        """Whether the submission has scores (graded, or graded with files that did not import)."""
        return self.status in SCORED

    @property
    def failed(self) -> list[dict]:
        """Outcomes of the checks that ran and failed (not those a file that did not import kept from running)."""
        return [o for o in self.outcomes if state_of(o) in (CheckState.FAILED, CheckState.NOT_ATTEMPTED)]

    @property
    def not_run(self) -> list[dict]:
        """Outcomes of the checks that did not run: a file they need did not import."""
        return [o for o in self.outcomes if state_of(o) is CheckState.NOT_RUN]

    @property
    def checks(self) -> int:
        """How many checks ran."""
        return len(self.outcomes)

    @property
    def not_attempted(self) -> list[str]:
        """The grade cells none of whose checks got past a stub (each is NOT_ATTEMPTED), in order."""
        cells: dict[str, bool] = {}
        for outcome in self.outcomes:
            state = state_of(outcome)
            if state is CheckState.NOT_RUN:
                continue
            cells[outcome["group"]] = cells.get(outcome["group"], True) and state is CheckState.NOT_ATTEMPTED
        return [cell for cell, untouched in cells.items() if untouched]

    @property
    def mistakes(self) -> list[dict]:
        """The failed checks of the cells the student attempted: the mistakes worth reading."""
        skipped = set(self.not_attempted)
        return [o for o in self.failed if o["group"] not in skipped]


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
    known = assignment_id in registry.ids()
    order = {name: i for i, name in enumerate(registry.get(assignment_id).notebooks)} if known else {}
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
            row = Row(submission.student_id, submission.score, submission.max_score,
                      timestamp=submission.timestamp, seconds_late=submission.total_seconds_late,
                      time_source=submissions.time_source(course_dir / "submitted" / submission.student_id
                                                          / assignment_id, submission.timestamp))
            for notebook in sorted(submission.notebooks, key=lambda n: order.get(n.name, len(order))):
                row.notebooks[notebook.name] = (notebook.score, notebook.max_score)
                for grade in notebook.grades:
                    row.cells[grade.name] = grade.score
                path = course_dir / "autograded" / submission.student_id / assignment_id / f"{notebook.name}.ipynb"
                row.outcomes += outcomes(path)
            entry = ledger.get(submission.student_id)
            if entry:
                row.status, row.error, row.seconds = Status(entry["status"]), entry["error"], entry["seconds"]
                row.sandboxed = entry.get("sandboxed", True)
                row.warnings = entry.get("warnings", [])
            rows.append(row)
    return columns, rows


def notebook_names(rows: list[Row]) -> list[str]:
    """The notebooks of the rows' subtotals, in the assignment's order."""
    return list(dict.fromkeys(name for row in rows for name in row.notebooks))


def table(columns: list[str], rows: list[Row]) -> str:
    """The grade table (student, total, a subtotal per notebook; the CSV has every grade cell), then what
    each submission got wrong: the cells not attempted on one line, each real mistake with its hint."""
    notebooks = notebook_names(rows)
    late = any(row.seconds_late for row in rows)
    header = ["student", "total", *notebooks, *(["late"] if late else [])]
    body = [[r.student, _points(r.score, r.max_score) if r.scored else f"-/{r.max_score:g}",
             *(_points(*r.notebooks[n]) if n in r.notebooks and r.scored else "-" for n in notebooks),
             *([lateness(r.seconds_late)] if late else [])]
            for r in rows]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(text.rjust(width) if i else text.ljust(width) for i, (text, width) in
                       enumerate(zip(line, widths))).rstrip() for line in [header, *body]]
    lines.insert(1, "-" * len(lines[0]))
    lines += ["", "Checks that caught each submission (cells whose every check meets a stub count as not attempted):"]
    for row in rows:
        if not row.scored:
            lines.append(f"  {row.student}: not graded ({row.status}), see below")
            continue
        ran = row.checks - len(row.not_run)
        if not row.failed:
            if not row.not_run:
                lines.append(f"  {row.student}: none, all {row.checks} checks passed")
            elif ran:
                lines.append(f"  {row.student}: none of the {ran} checks that ran; {len(row.not_run)} could not run "
                             "(see 'failed to run' below)")
            else:
                lines.append(f"  {row.student}: no check could run (see 'failed to run' below)")
            continue
        untouched = row.not_attempted
        if len(untouched) == len({o["group"] for o in row.outcomes}):
            lines.append(f"  {row.student}: nothing attempted yet (every grade cell's code still raises "
                         "NotImplementedError)")
            continue
        lines.append(f"  {row.student}:" + (f" ({len(row.not_run)} checks did not run: see 'failed to run' below)"
                                             if row.not_run else ""))
        if untouched:
            lines.append(_wrapped(f"not attempted: {', '.join(untouched)}", "    ", "      "))
        if not row.mistakes:
            lines.append("    nothing wrong in what was attempted")
        for failed in row.mistakes:
            lines.append(_wrapped(f"{failed['id']}: {failed['message'].strip()}", "    ", "      "))
            if failed.get("hint"):
                lines.append(_wrapped(f"hint: {failed['hint']}", "      ", "        "))
    not_imported = [row for row in rows if row.status == DID_NOT_IMPORT]
    if not_imported:
        lines += ["", "Submissions that failed to run in part (graded: the checks that needed these files earned "
                      "nothing, the others their points):"]
        lines += [_wrapped(f"{row.student}: {finding}", "  ", "      ") for row in not_imported
                  for finding in row.error.splitlines() if finding.strip()]
    not_graded = [row for row in rows if not row.scored]
    if not_graded:
        lines += ["", "Submissions that could not be graded (no score; every cell waits for manual grading;"
                      " `dlkit autograde ASSIGNMENT --force --student ID` tries again):"]
        lines += [f"  {row.student}: {row.status}: {first_line(row.error)}" for row in not_graded]
    sources = collections.Counter(row.time_source for row in rows if row.timestamp and row.time_source)
    if sources:
        lines += ["", "When each submission was handed in, from: " + "; ".join(
            f"{source} ({count})" for source, count in sorted(sources.items(), key=lambda item: -item[1]))]
    warned = [row for row in rows if row.warnings]
    if warned:
        lines += ["", "Graded with a warning:"]
        lines += [f"  {row.student}: {warning}" for row in warned for warning in row.warnings]
    unconfined = [row.student for row in rows if row.scored and not row.sandboxed]
    if unconfined:
        lines = [f"WARNING: graded WITHOUT a sandbox (--unsafe-no-sandbox, bubblewrap missing): {', '.join(unconfined)}.",
                 "         Their code could read the solutions and change any grade; install bubblewrap and run",
                 "         `dlkit autograde ASSIGNMENT` again to regrade them in the sandbox.", "", *lines]
    return "\n".join(lines)


#: Width of the grade table's text: a terminal's.
WIDTH = 100


def lateness(seconds: float) -> str:
    """'' when on time, else '2 d 3 h', '3 h 5 min', '12 min' or '40 s'."""
    if seconds <= 0:
        return ""
    minutes, hours, days = int(seconds // 60), int(seconds // 3600), int(seconds // 86400)
    if days:
        return f"{days} d {hours - 24 * days} h"
    if hours:
        return f"{hours} h {minutes - 60 * hours} min"
    return f"{minutes} min" if minutes else f"{int(seconds)} s"


def _points(score: float, maximum: float) -> str:
    return f"{score:g}/{maximum:g}"


def _wrapped(text: str, indent: str, subsequent: str) -> str:
    """``text`` (its first line only: a message's detail stays in the report) wrapped to WIDTH."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return "\n".join(textwrap.wrap(first, WIDTH, initial_indent=indent, subsequent_indent=subsequent,
                                    break_long_words=False, break_on_hyphens=False))


def first_line(text: str, limit: int = 110) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def reason(row: Row) -> str:
    """Why the submission did not run, on one line: each file that did not import, or the first line of the error."""
    if row.status == DID_NOT_IMPORT:
        return " | ".join(line.strip() for line in row.error.splitlines() if line.strip())
    return first_line(row.error, 300) if not row.scored else ""


def to_csv(columns: list[str], rows: list[Row]) -> str:
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(["student", "score", "max_score", *columns, "failed_checks", "status", "reason", "sandboxed",
                     "warnings", "timestamp", "timestamp_source", "seconds_late"])
    for r in rows:
        graded = r.scored  # no score is not a score of 0: the CSV leaves it empty
        writer.writerow(map(printable.cell, [r.student, r.score if graded else "", r.max_score,
                         *(r.cells.get(c, 0) if graded else "" for c in columns),
                         " ".join(o["id"] for o in r.failed), r.status, reason(r),
                         "yes" if r.sandboxed else "no",
                         " | ".join(r.warnings), "" if r.timestamp is None else f"{r.timestamp:%Y-%m-%d %H:%M:%S} UTC",
                         r.time_source, round(r.seconds_late, 1)]))
    return stream.getvalue()
