"""The nbgrader configuration of a course built by the kit: ``nbgrader_config.py``, regenerated on every build."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from autograde.limits import Limits
from autograde.student import registry

COURSE_ID = "dlkit"

#: Where the time of a submission collected from the exchange came from (``autograde.course.exchange``), beside it.
TIME_RECORD = ".dlkit-time.json"
#: Files nbgrader never copies between its folders (and grading tasks never carry).
IGNORE = (".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "data", TIME_RECORD)

TEMPLATE = '''\\
# Written by `dlkit release`; regenerated on every build.
from nbgrader.converters.autograde import Autograde
from nbgrader.preprocessors import Execute, SaveAutoGrades

c = get_config()  # noqa: F821 - provided by nbgrader
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = {db_url!r}
c.CourseDirectory.ignore = {ignore!r}
{exchange}# Students edit these files; every other file is restored from the source before grading.
c.Autograde.exclude_overwriting = {exclude!r}
# Grade cells are scored from checks run outside the student's kernel.
_preprocessors = list(Autograde.class_traits()["autograde_preprocessors"].default())
_preprocessors.insert(_preprocessors.index(SaveAutoGrades), "autograde.course.preprocessor.TrustedChecks")
# The student's notebook runs with its kernel in a sandbox (autograde/sandbox/kernel.py).
_preprocessors[_preprocessors.index(Execute)] = "autograde.course.execute.SandboxedExecute"
# Last, before nbgrader writes the autograded notebook: nothing the student wrote or printed may run in the
# browser of whoever opens it in formgrader (autograde/course/sanitize.py).
_preprocessors.append("autograde.course.sanitize.SanitizeNotebook")
c.Autograde.autograde_preprocessors = _preprocessors
# What grading one submission may use (autograde.limits.Limits).
c.TrustedChecks.limits = {limits!r}
c.SandboxedKernelManager.limits = {limits!r}
c.SandboxedExecute.output_bytes = {output_bytes!r}
# The course's grading secret (from grading_secret): the checks draw inputs the released notebook never shows.
c.TrustedChecks.secret = {secret!r}
# Seconds one notebook cell may run in the kernel (Limits.cell_seconds; training takes about 5 s):
# a submission that hangs delays the batch by at most this much per cell, and its grade comes
# from the sandbox.
c.Execute.timeout = {cell_seconds!r}
# Feedback shows the trusted results but never the code of hidden tests; nothing that runs in a browser;
# formulas in MathML, no bare scores; each page forbids scripts (a Content-Security-Policy).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "autograde.course.sanitize.SanitizeNotebook",
    "autograde.course.feedback.FeedbackPage",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
c.GenerateFeedback.exporter_class = "autograde.course.feedback.FeedbackExporter"
'''


def db_url_of(course_dir: Path, db_url: str | None = None) -> str:
    """The gradebook's URL: ``db_url``, or the SQLite file ``gradebook.db`` of the course."""
    return db_url or f"sqlite:///{(course_dir / 'gradebook.db').resolve()}"


#: The course's grading secret, in the course directory (never in a release, nor in a task's files).
SECRET_FILE = "grading_secret"


def grading_secret(course_dir: Path) -> int:
    """The course's grading secret, made on first use: the seed of the inputs the checks draw at grading,
    the same for every run of the course, so regrades and parallel runs agree."""
    path = course_dir / SECRET_FILE
    if not path.exists():
        course_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(f"{secrets.randbits(63)}\n")
    return int(path.read_text())


#: The course's nbgrader exchange folder, when it has one (``dlkit release --exchange``).
EXCHANGE_FILE = "exchange_root"


def exchange_root(course_dir: Path) -> Path | None:
    """The exchange folder the course publishes to and collects from, or None."""
    path = course_dir / EXCHANGE_FILE
    return Path(path.read_text().strip()) if path.is_file() else None


def set_exchange_root(course_dir: Path, folder: Path) -> None:
    course_dir.mkdir(parents=True, exist_ok=True)
    (course_dir / EXCHANGE_FILE).write_text(f"{folder.resolve()}\n")


def write(course_dir: Path, db_url: str | None = None, limits: Limits = Limits(), secret: int | None = None,
          course_secret: bool = True) -> Path:
    """Write ``course_dir/nbgrader_config.py`` for every assignment of the kit; return its path.

    ``secret`` defaults to the course's grading secret (``grading_secret``); with ``course_secret`` False the
    configuration names none (a grading host's scratch course: its grading's key comes with the task)."""
    root = course_dir.resolve()
    config = root / "nbgrader_config.py"
    exclude = {spec.id: list(spec.student_files) for spec in registry.specs()}
    secret = None if not course_secret else grading_secret(root) if secret is None else secret
    exchange = exchange_root(root)
    exchange = (f"# nbgrader's exchange (dlkit release --exchange): release_assignment publishes, collect collects.\n"
                f"c.Exchange.root = {str(exchange)!r}\n") if exchange else ""
    config.write_text(TEMPLATE.format(course_id=COURSE_ID, root=str(root), exclude=exclude, ignore=list(IGNORE),
                                      exchange=exchange,
                                      db_url=db_url_of(root, db_url), limits=limits.to_dict(),
                                      cell_seconds=limits.cell_seconds, secret=secret,
                                      output_bytes=limits.notebook_output_bytes))
    return config
