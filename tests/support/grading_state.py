"""What autograding records for each submission, to compare two runs of the same class."""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from autograde.course import config


def gradebook_state(course_dir: Path, assignment_id: str) -> dict:
    """Everything autograding records for each submission: nbgrader's gradebook and the trusted
    outcomes in the autograded notebooks."""
    state = {}
    with Gradebook(config.db_url_of(course_dir), config.COURSE_ID) as gradebook:
        for submission in gradebook.find_assignment(assignment_id).submissions:
            folder = course_dir / "autograded" / submission.student_id / assignment_id
            state[submission.student_id] = {
                "timestamp": submission.timestamp,
                "grades": {(n.name, g.name): (g.auto_score, g.manual_score, g.needs_manual_grade)
                           for n in submission.notebooks for g in n.grades},
                "comments": {(n.name, c.name): c.auto_comment for n in submission.notebooks for c in n.comments},
                "penalties": {n.name: n.late_submission_penalty for n in submission.notebooks},
                "files": sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()),
                "outcomes": [o for path in sorted(folder.glob("*.ipynb")) for cell in nbformat.read(path, 4).cells
                             for o in cell.metadata.get("dlkit", {}).get("checks", [])],
            }
    return state
