"""Catalogued bugs as student files, for tests that need a realistic wrong submission."""
from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from autograde.authoring import catalogue


@functools.cache
def _folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="dlkit-test-bugs-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def bug_file(assignment: str, name: str, relative: str) -> Path:
    """The student file ``relative`` of the catalogued bug ``name`` of ``assignment`` (written once per process)."""
    written = _folder() / assignment / name
    if not written.exists():
        catalogue.submission(catalogue.bug(assignment, name), written)
    return written / relative


def solo_score(assignment: str, student_file: Path, name: str, course_dir: Path, folder: Path) -> float:
    """The score of ``student_file`` (saved as ``name``) graded alone in ``folder`` with the course's grading
    secret: what it must also get in a batch with others."""
    from autograde.course import config
    from autograde.grading import runner

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(student_file, folder / name)
    return sum(o.earned for o in runner.run(assignment, folder, secret=config.grading_secret(course_dir)).outcomes)
