"""Build an nbgrader course directory from notebooks/ + starter/ and drive nbgrader in it.

The source folder of each assignment gets its notebooks, its starter modules and the
student-facing part of the kit (``STUDENT_FACING`` + the assignment's public checks +
data_scripts). Nothing from solutions/ and no hidden check is ever copied there, because
nbgrader ships every non-notebook file of the source folder to students unchanged.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from autograde import assignments

REPO = Path(__file__).resolve().parent.parent
COURSE_ID = "dlkit"
#: Modules of autograde/ that students receive (relative to autograde/).
STUDENT_FACING = (
    "__init__.py", "assignments.py", "explore.py", "gradcheck.py", "loader.py", "notebook.py", "report.py", "student.py",
    "checks/__init__.py", "checks/validate.py",
)

#: Files nbgrader never copies between its folders (and grading tasks never carry).
IGNORE = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "data"]

CONFIG = '''\
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
_preprocessors.insert(_preprocessors.index(SaveAutoGrades), "autograde.preprocessor.TrustedChecks")
c.Autograde.autograde_preprocessors = _preprocessors
# Seconds one notebook cell may run in the kernel (training takes about 5 s): a submission
# that hangs delays the batch by at most this much per cell, and its grade comes from the sandbox.
c.Execute.timeout = {timeout}
# Feedback shows the trusted results but never the code of hidden tests.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
'''


class CourseError(RuntimeError):
    """An nbgrader command failed; the message carries its output."""


def student_facing_files(assignment_id: str, repo: Path = REPO) -> list[tuple[Path, Path]]:
    """(source, path in the release) of every kit file an assignment's students receive."""
    package = repo / "autograde"
    public = sorted((package / "checks" / assignment_id / "public").glob("*.py"))
    modules = list(STUDENT_FACING) + [f"checks/{assignment_id}/__init__.py"]
    modules += [p.relative_to(package).as_posix() for p in public]
    files = [(package / m, Path("autograde") / m) for m in modules]
    files += [(p, Path("data_scripts") / p.name) for p in sorted((repo / "data_scripts").glob("*.py"))]
    return files


def build_source(course_dir: Path, assignment_id: str, repo: Path = REPO) -> Path:
    """Fill ``course_dir/source/<assignment>`` from notebooks/, starter/ and the student-facing kit."""
    spec = assignments.get(assignment_id)
    source = course_dir / "source" / assignment_id
    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    for notebook in spec.notebooks:
        shutil.copy(repo / "notebooks" / assignment_id / f"{notebook}.ipynb", source)
    for relative in spec.files:
        (source / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(repo / "starter" / assignment_id / relative, source / relative)
    for original, relative in student_facing_files(assignment_id, repo):
        (source / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(original, source / relative)
    return source


def write_config(course_dir: Path, db_url: str | None = None, timeout: int = 120) -> Path:
    root = course_dir.resolve()
    config = root / "nbgrader_config.py"
    exclude = {a.id: list(a.student_files) for a in assignments.ASSIGNMENTS.values()}
    config.write_text(CONFIG.format(course_id=COURSE_ID, root=str(root), exclude=exclude, timeout=timeout, ignore=IGNORE,
                                    db_url=db_url or f"sqlite:///{root / 'gradebook.db'}"))
    return config


def tools_on_path() -> None:
    """Put this environment's scripts first on PATH: nbgrader's gradebook runs ``alembic`` from there."""
    scripts = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != scripts:
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def environment(data_dir: Path | None = None) -> dict[str, str]:
    """Environment of nbgrader runs: kernels and checks find the shared dataset folder, and the
    notebooks' experiments run in their quick form (grades come from the checks, not from them)."""
    from data_scripts import data_dir as default_data_dir

    tools_on_path()
    return {**os.environ, "DLKIT_DATA": str((data_dir or default_data_dir()).resolve()), "DLKIT_QUICK": "1"}


def grading_data(assignment_id: str):
    """Load the dataset the assignment is graded on, so a batch never starts without it.

    MNIST is downloaded when missing; CIFAR-10 must be prepared first (``python -m data_scripts
    cifar10``). Raises ``data_scripts.DatasetUnavailable`` or ``DownloadError``, saying what to do.
    """
    from data_scripts import load_cifar10, load_mnist

    return load_cifar10() if assignments.get(assignment_id).data == "cifar10" else load_mnist()


def nbgrader(course_dir: Path, *arguments: str) -> str:
    """Run one nbgrader command in the course; return its log or raise CourseError."""
    executable = Path(sys.executable).with_name("nbgrader")
    command = [str(executable) if executable.exists() else "nbgrader", *arguments]
    completed = subprocess.run(command, cwd=course_dir, capture_output=True, text=True, env=environment())
    log = completed.stdout + completed.stderr
    if completed.returncode != 0:
        raise CourseError(f"`nbgrader {' '.join(arguments)}` failed (exit {completed.returncode}):\n{log[-4000:]}")
    return log


def release(course_dir: Path, assignment_id: str, db_url: str | None = None, repo: Path = REPO) -> Path:
    """Build the source folder from ``repo`` and run nbgrader generate_assignment; return the release folder."""
    course_dir.mkdir(parents=True, exist_ok=True)
    write_config(course_dir, db_url)
    build_source(course_dir, assignment_id, repo)
    nbgrader(course_dir, "generate_assignment", assignment_id, "--force")
    return course_dir / "release" / assignment_id


def stage_submission(course_dir: Path, assignment_id: str, student: str, files: dict[str, Path]) -> Path:
    """Put a submission in nbgrader's submitted/ folder: the released notebooks plus ``files``."""
    target = course_dir / "submitted" / student / assignment_id
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(course_dir / "release" / assignment_id, target)
    for name, path in files.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / name)
    return target


def autograde(course_dir: Path, assignment_id: str, student: str | None = None) -> str:
    """Run nbgrader autograde, then make sure every grade came from the trusted checks."""
    arguments = ["autograde", assignment_id, "--force"]
    if student:
        arguments.append(f"--student={student}")
    log = nbgrader(course_dir, *arguments)
    untrusted = untrusted_notebooks(course_dir, assignment_id, student)
    if untrusted:
        raise CourseError("nbgrader scored these notebooks without the trusted checks (is "
                          "autograde.preprocessor.TrustedChecks configured?):\n  " + "\n  ".join(map(str, untrusted))
                          + f"\n{log[-3000:]}")
    return log


def untrusted_notebooks(course_dir: Path, assignment_id: str, student: str | None = None) -> list[Path]:
    """Autograded notebooks with a grade cell that the trusted checks did not overwrite."""
    import nbformat
    from nbgrader import utils

    pattern = f"{student or '*'}/{assignment_id}/*.ipynb"
    untrusted = []
    for path in sorted((course_dir / "autograded").glob(pattern)):
        notebook = nbformat.read(path, as_version=4)
        if any(utils.is_grade(c) and c.cell_type == "code" and "dlkit" not in c.metadata for c in notebook.cells):
            untrusted.append(path)
    return untrusted


def feedback(course_dir: Path, assignment_id: str) -> Path:
    nbgrader(course_dir, "generate_feedback", assignment_id, "--force")
    return course_dir / "feedback"
