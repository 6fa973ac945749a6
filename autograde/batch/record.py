"""The coordinator's writes: workers' results into the real course, then a line in the batch's ledger.

Only the coordinator writes here, one result at a time, as soon as it arrives: the
autograded files, then nbgrader's gradebook through its own API (what ``nbgrader autograde``
records: the student, the submission and its timestamp, each grade cell's auto score, the
comments of solution cells, late penalties), then a line in the ledger. A run killed between
two of these steps regrades that submission on restart, and each step can be repeated.
"""
from __future__ import annotations

import shutil
import sqlite3
import tempfile
import warnings
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy import text
from sqlalchemy.exc import SAWarning

from autograde import intake
from autograde.batch import tasks
from autograde.batch.ledger import Ledger
from autograde.batch.tasks import TaskResult
from autograde.course import config, sanitize
from autograde.sandbox import procfs
from autograde.student import registry


#: The coordinator's folder for the template gradebook, in the temporary folder (``procfs.owned_folder``).
TEMPLATE_PREFIX = "dlkit-template-"


def template_gradebook(db_url: str, assignment_id: str) -> bytes:
    """A SQLite gradebook holding the assignment as ``generate_assignment`` recorded it
    (notebooks, grade, solution, task and source cells) and nothing about any student."""
    with procfs.owned_temporary(TEMPLATE_PREFIX) as folder:
        path = folder / "gradebook.db"
        with Gradebook(db_url, config.COURSE_ID) as real:
            version = real.db.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        # Stamped with the real gradebook's schema version, the new file counts as an existing
        # gradebook: nbgrader then skips running `alembic` to find the version (seconds per batch).
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
            connection.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (version,))
        connection.close()
        with Gradebook(db_url, config.COURSE_ID) as real, Gradebook(f"sqlite:///{path}", config.COURSE_ID) as copy:
            assignment = real.find_assignment(assignment_id)
            copy.update_or_create_assignment(assignment_id, duedate=assignment.duedate)
            for notebook in assignment.notebooks:
                copy.update_or_create_notebook(notebook.name, assignment_id, kernelspec=notebook.kernelspec)
                for cell in notebook.grade_cells:
                    copy.update_or_create_grade_cell(cell.name, notebook.name, assignment_id,
                                                     max_score=cell.max_score, cell_type=cell.cell_type)
                for cell in notebook.solution_cells:
                    copy.update_or_create_solution_cell(cell.name, notebook.name, assignment_id)
                for cell in notebook.task_cells:
                    copy.update_or_create_task_cell(cell.name, notebook.name, assignment_id,
                                                    max_score=cell.max_score, cell_type=cell.cell_type)
                for cell in notebook.source_cells:
                    copy.update_or_create_source_cell(cell.name, notebook.name, assignment_id, cell_type=cell.cell_type,
                                                      locked=cell.locked, source=cell.source, checksum=cell.checksum)
        return path.read_bytes()


def save(course_dir: Path, db_url: str, result: TaskResult) -> list[str]:
    """Write one result into the course: files, gradebook, ledger (in this order).

    Every notebook written is cleaned first (``sanitize``): formgrader draws it in the instructor's browser.
    Manual entries given in formgrader (scores, extra credit, comments) stay through a regrade of the
    same files; when the submission's files changed since the last recorded grading, they are
    cleared, and returned as "softmax/softmax_loss: manual score 2" for the regrade to report."""
    ledger = Ledger(course_dir, result.assignment_id)
    autograded = course_dir / "autograded" / result.student_id / result.assignment_id
    if result.status in tasks.SCORED:
        _replace_folder(autograded, sanitize.files(result.files))
    else:  # nothing autograded: what formgrader needs to open the submission and grade it by hand
        _replace_folder(autograded, sanitize.files(_for_manual_grading(course_dir, result)))
    before = ledger.latest().get(result.student_id, {}).get("files")
    changed = bool(before and result.files_digest and before != result.files_digest)
    cleared = _save_grades(db_url, result, clear_manual=changed)
    ledger.append(result)
    return cleared


def _for_manual_grading(course_dir: Path, result: TaskResult) -> dict[str, tuple[bytes, int]]:
    """For a submission that could not be graded: the released notebooks, each opening with why (formgrader
    opens them to grade every cell by hand, nbgrader's own autograded notebook being absent), and the
    student's files beside them, read safely (none when they cannot be)."""
    import nbformat

    reason = result.error.strip().splitlines()[0] if result.error.strip() else result.status
    banner = nbformat.v4.new_markdown_cell(
        f"**This submission could not be autograded** ({result.status}: {reason}).\n\n"
        "Every grade cell waits for a score given by hand; the student's files are next to this notebook, "
        "in the course's `autograded/` folder. `dlkit autograde ASSIGNMENT --force --student ID` tries again.")
    files = {}
    for path in sorted((course_dir / "release" / result.assignment_id).glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        notebook.cells.insert(0, banner)
        files[path.name] = (nbformat.writes(notebook).encode(), 0o644)
    folder = course_dir / "submitted" / result.student_id / result.assignment_id
    try:
        if folder.parent.is_symlink():
            raise intake.SubmissionRejected(f"{folder.parent} is a symbolic link")
        student = intake.read_folder(folder, config.IGNORE, only=registry.get(result.assignment_id).student_files)
    except (intake.SubmissionRejected, OSError):
        student = {}
    files.update({name: (content, 0o644) for name, content in student.items()})
    return files


def _replace_folder(folder: Path, files: dict[str, tuple[bytes, int]]) -> None:
    """Put ``files`` in place of ``folder`` so that it is never seen half written.

    What a run killed while it wrote here left (``.<name>-*``: a folder half written, or the old one set
    aside) is removed first: the course's lock makes this process its only writer.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    for leftover in folder.parent.glob(f".{folder.name}-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    incoming = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    for relative, (content, mode) in files.items():
        path = incoming / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        path.chmod(mode)
    incoming.chmod(0o755)
    if folder.exists():
        stale = folder.with_name(f".{folder.name}-stale")
        if stale.exists():
            shutil.rmtree(stale)
        folder.rename(stale)
        incoming.rename(folder)
        shutil.rmtree(stale)
    else:
        incoming.rename(folder)


def _save_grades(db_url: str, result: TaskResult, clear_manual: bool = False) -> list[str]:
    """What nbgrader's Autograde.init_assignment, SaveAutoGrades and AssignLatePenalties record; with
    ``clear_manual``, first the submission's manual entries are cleared (and returned, described)."""
    assignment_id, student_id = result.assignment_id, result.student_id
    cleared: list[str] = []
    with Gradebook(db_url, config.COURSE_ID) as gradebook:
        if clear_manual:
            cleared = _clear_manual(gradebook, assignment_id, student_id)
        gradebook.update_or_create_student(student_id)
        with warnings.catch_warnings():
            # nbgrader's add_submission builds its rows in an order SQLAlchemy 2 warns about
            # ("not in session"); it adds them all itself, as in every `nbgrader autograde`.
            warnings.simplefilter("ignore", SAWarning)
            if result.timestamp is not None:
                gradebook.update_or_create_submission(assignment_id, student_id, timestamp=result.timestamp)
            else:
                gradebook.update_or_create_submission(assignment_id, student_id)
        if result.status not in tasks.SCORED:
            # No trusted score exists: nothing is scored, and every cell waits for a person.
            for notebook in gradebook.find_submission(assignment_id, student_id).notebooks:
                for grade in notebook.grades:
                    grade.auto_score = None
                    grade.needs_manual_grade = True
            gradebook.db.commit()
            return cleared
        for saved in result.grades:
            grade = gradebook.find_grade(saved.cell, saved.notebook, assignment_id, student_id)
            grade.auto_score = saved.auto_score
            # SaveAutoGrades: a manual grade or a missing auto score needs review; a notebook
            # that was not submitted is scored 0 without review (Autograde.init_assignment).
            grade.needs_manual_grade = saved.submitted and (grade.manual_score is not None or saved.auto_score is None)
        for saved in result.comments:
            gradebook.find_comment(saved.cell, saved.notebook, assignment_id, student_id).auto_comment = saved.auto_comment
        for notebook, penalty in result.penalties.items():
            gradebook.find_submission_notebook(notebook, assignment_id, student_id).late_submission_penalty = penalty
        gradebook.db.commit()
    return cleared


def _clear_manual(gradebook, assignment_id: str, student_id: str) -> list[str]:
    """Clear the manual scores, extra credit and manual comments of a submission; describe each."""
    try:
        submission = gradebook.find_submission(assignment_id, student_id)
    except MissingEntry:
        return []
    cleared = []
    for notebook in submission.notebooks:
        for grade in notebook.grades:
            for field, what in (("manual_score", "manual score"), ("extra_credit", "extra credit")):
                if getattr(grade, field) is not None:
                    cleared.append(f"{notebook.name}/{grade.name}: {what} {getattr(grade, field):g}")
                    setattr(grade, field, None)
        for comment in notebook.comments:
            if comment.manual_comment:
                cleared.append(f"{notebook.name}/{comment.name}: comment {comment.manual_comment!r}")
                comment.manual_comment = None
    gradebook.db.commit()
    return cleared
