"""The nbgrader configuration of a course built by the kit: ``nbgrader_config.py``, regenerated on every build."""
from __future__ import annotations

from pathlib import Path

from autograde.limits import Limits
from autograde.student import registry

COURSE_ID = "dlkit"

#: Files nbgrader never copies between its folders (and grading tasks never carry).
IGNORE = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "data"]

TEMPLATE = '''\\
# Written by `dlkit release`; regenerated on every build.
from nbgrader.converters.autograde import Autograde
from nbgrader.preprocessors import SaveAutoGrades

c = get_config()  # noqa: F821 - provided by nbgrader
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = {db_url!r}
c.CourseDirectory.ignore = {ignore!r}
# Students edit these files; every other file is restored from the source before grading.
c.Autograde.exclude_overwriting = {exclude!r}
# Grade cells are scored from checks run outside the student's kernel.
_preprocessors = list(Autograde.class_traits()["autograde_preprocessors"].default())
_preprocessors.insert(_preprocessors.index(SaveAutoGrades), "autograde.course.preprocessor.TrustedChecks")
c.Autograde.autograde_preprocessors = _preprocessors
# What grading one submission may use (autograde.limits.Limits).
c.TrustedChecks.limits = {limits!r}
# Seconds one notebook cell may run in the kernel (Limits.cell_seconds; training takes about 5 s):
# a submission that hangs delays the batch by at most this much per cell, and its grade comes
# from the sandbox.
c.Execute.timeout = {cell_seconds!r}
# Feedback shows the trusted results but never the code of hidden tests.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
'''


def db_url_of(course_dir: Path, db_url: str | None = None) -> str:
    """The gradebook's URL: ``db_url``, or the SQLite file ``gradebook.db`` of the course."""
    return db_url or f"sqlite:///{(course_dir / 'gradebook.db').resolve()}"


def write(course_dir: Path, db_url: str | None = None, limits: Limits = Limits()) -> Path:
    """Write ``course_dir/nbgrader_config.py`` for every assignment of the kit; return its path."""
    root = course_dir.resolve()
    config = root / "nbgrader_config.py"
    exclude = {spec.id: list(spec.student_files) for spec in registry.specs()}
    config.write_text(TEMPLATE.format(course_id=COURSE_ID, root=str(root), exclude=exclude, ignore=IGNORE,
                                      db_url=db_url_of(root, db_url), limits=limits.to_dict(),
                                      cell_seconds=limits.cell_seconds))
    return config
