"""Build an assignment's nbgrader source folder from the kit, and release it with nbgrader.

The source folder gets the assignment's notebooks, its starter modules, and the student side
of the kit: ``autograde/student/`` whole, the assignment's own folder of ``autograde/assignments/``
without its hidden checks, and ``data_scripts/``. Nothing from solutions/ and no hidden check is
ever copied there, because nbgrader ships every non-notebook file of the source folder to
students unchanged.
"""
from __future__ import annotations

import datetime
import importlib.metadata
import json
import re
import shutil
import types
from pathlib import Path

from autograde import kit
from autograde.course import commands, config
from autograde.errors import UsageError
from autograde.student import checks, registry
from autograde.student.notebook import POINTS_FILE

#: In a notebook's markdown, ``{points:GROUP}`` becomes the points of grade cell GROUP ("3 points"),
#: ``{bar:GROUP}`` the calibrated bar of its accuracy check ("91.90%") and ``{reference:GROUP}`` the
#: range of the reference's accuracies the bar was calibrated on ("92.4-92.6%"), so that what a
#: notebook promises follows thresholds.json.
TOKEN = re.compile(r"\{(points|bar|reference):(\w+)\}")

#: Never released: compiled files, and every assignment's hidden checks (``hidden.py`` or ``hidden/``).
NOT_RELEASED = ("__pycache__", "hidden", "hidden.py", "catalogue")


def _files_below(folder: Path) -> list[Path]:
    """Every file below ``folder`` that a release may hold: no NOT_RELEASED part, no ``.pyc``."""
    return [path for path in sorted(folder.rglob("*"))
            if path.is_file() and path.suffix != ".pyc"
            and not set(path.relative_to(folder).parts) & set(NOT_RELEASED)]


def release_files(assignment_id: str, repo: Path = kit.REPO) -> list[tuple[Path, Path]]:
    """(source, path in the release) of every kit file the students of ``assignment_id`` receive."""
    package = repo / "autograde"
    folders = [package / "student", package / "assignments" / assignment_id, repo / "data_scripts"]
    files = [package / "__init__.py", package / "assignments" / "__init__.py"]
    files += [path for folder in folders for path in _files_below(folder)]
    return [(path, path.relative_to(repo)) for path in files]


#: What a student installs to run a released assignment: its checks, its panel, its plots, JupyterLab.
#: Not nbgrader, whose extensions would show the instructor's tools (formgrader, Create Assignment).
STUDENT_REQUIREMENTS = ("numpy", "matplotlib", "ipywidgets", "tqdm", "jupyterlab")
REQUIREMENTS = "requirements.txt"
#: The same for conda: the student's environment file (the kit's environment-student.yml is this file).
CONDA_ENVIRONMENT = "environment.yml"
#: conda-forge's name of each package the kit pins whose name there differs from PyPI's: what pip installs
#: (matplotlib-base is matplotlib without a Qt toolkit, nbconvert-core nbconvert without pandoc, dask-core dask
#: without its extras, psycopg is the driver that loads conda-forge's libpq).
CONDA_FORGE_NAMES = types.MappingProxyType({
    "matplotlib": "matplotlib-base", "nbconvert": "nbconvert-core", "dask": "dask-core", "psycopg[binary]": "psycopg",
    "bleach[css]": "bleach-with-css"})


def conda_environment() -> str:
    """The release's ``environment.yml``: requirements() as conda-forge packages (conda-forge has them all)."""
    pins = "".join(f"  - {CONDA_FORGE_NAMES.get(name, name)}=={importlib.metadata.version(name)}\n"
                   for name in STUDENT_REQUIREMENTS)
    return ("# Everything an assignment of the kit needs on your machine, at the versions it is graded with, from\n"
            "# conda-forge (the same as requirements.txt, for conda users):\n"
            "#   conda env create -f environment.yml && conda activate dlkit-student && jupyter lab\n"
            "# (in the kit's checkout this file is environment-student.yml; environment.yml is the instructor's)\n"
            "name: dlkit-student\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n" + pins)


def requirements() -> str:
    """The release's ``requirements.txt``: STUDENT_REQUIREMENTS at the versions the kit runs with."""
    pins = "".join(f"{name}=={importlib.metadata.version(name)}\n" for name in STUDENT_REQUIREMENTS)
    return ("# Everything this assignment needs on your machine, at the versions it is graded with:\n"
            "#   python3.11 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/jupyter lab\n"
            + pins)


def points_by_group(assignment_id: str) -> dict[str, float]:
    """The points of each grade cell: the sum of the points its checks declare (public and hidden)."""
    return {group: sum(c.points for c in found)
            for group, found in checks.groups(checks.load(assignment_id, hidden=True)).items()}


def _shown(points: float) -> str:
    return f"{points:g} point" + ("" if points == 1 else "s")


def _percent(accuracy: float, decimals: int = 1) -> str:
    return f"{100 * accuracy:.{decimals}f}"


def bars_by_group(assignment_id: str) -> dict[str, tuple[str, str]]:
    """(bar, range of the reference's accuracies) as shown in a notebook, of each accuracy check of
    ``assignment_id`` with one committed bar (not one per dataset, as CIFAR-10's)."""
    from autograde.grading import calibration

    entries = calibration.load()
    shown = {}
    for check in calibration.accuracy_checks(assignment_id):
        entry = entries.get(check.bar.key)
        if check.bar.data is None and entry is not None:
            low, high = _percent(min(entry["accuracies"])), _percent(max(entry["accuracies"]))
            # the bar exactly (a student at 97.22% must not read "97.2%" for 97.23%), the range roughly
            shown[check.group] = (f"{_percent(entry['bar'], 2)}%", f"{low}%" if low == high else f"{low}-{high}%")
    return shown


def write_points(original: Path, target: Path, assignment_id: str) -> None:
    """Copy the notebook ``original`` to ``target`` with the points its checks declare, in each grade cell's
    nbgrader metadata, and each token of its markdown (TOKEN) replaced.

    A grade cell that states other points, a grade cell without checks, or a token naming a group
    without checks (or without one calibrated bar) stops the release with a UsageError naming the
    notebook, the cell and both numbers.
    """
    import nbformat

    declared = points_by_group(assignment_id)
    bars = bars_by_group(assignment_id)
    values = {"points": {group: _shown(points) for group, points in declared.items()},
              "bar": {group: shown[0] for group, shown in bars.items()},
              "reference": {group: shown[1] for group, shown in bars.items()}}
    notebook = nbformat.read(original, as_version=4)
    problems = []
    for cell in notebook.cells:
        nbgrader = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and nbgrader.get("grade"):
            group = nbgrader["grade_id"]
            if group not in declared:
                problems.append(f"grade cell {group!r} has no checks (known: {', '.join(sorted(declared))})")
            elif "points" in nbgrader and float(nbgrader["points"]) != declared[group]:
                problems.append(f"grade cell {group!r} states {float(nbgrader['points']):g} points, its checks declare "
                                f"{declared[group]:g}: remove the notebook's points (the release writes them) or "
                                "change the checks")
            else:
                nbgrader["points"] = declared[group]
        elif cell.cell_type == "markdown":
            unknown = sorted({(kind, group) for kind, group in TOKEN.findall(cell.source) if group not in values[kind]})
            problems += [f"{{{kind}:{group}}} names no grade cell with " + ("checks" if kind == "points" else
                         "one calibrated accuracy bar") for kind, group in unknown]
            cell.source = TOKEN.sub(lambda m: values[m.group(1)].get(m.group(2), m.group(0)), cell.source)
    if problems:
        raise UsageError(f"notebooks/{assignment_id}/{original.name}: " + "; ".join(problems))
    nbformat.write(notebook, target)


def build_source(course_dir: Path, assignment_id: str, repo: Path = kit.REPO) -> Path:
    """Fill ``course_dir/source/<assignment>`` from notebooks/, starter/ and the student side of the kit."""
    spec = registry.get(assignment_id)
    source = course_dir / "source" / assignment_id
    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    for notebook in spec.notebooks:
        write_points(repo / "notebooks" / assignment_id / f"{notebook}.ipynb", source / f"{notebook}.ipynb",
                     assignment_id)
    for relative in spec.files:
        (source / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(repo / "starter" / assignment_id / relative, source / relative)
    for original, relative in release_files(assignment_id, repo):
        (source / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(original, source / relative)
    # What a student installs to run the release: the kit's own versions, no instructor tool (nbgrader).
    (source / REQUIREMENTS).write_text(requirements())
    (source / CONDA_ENVIRONMENT).write_text(conda_environment())
    # The notebook's cells say how many of a cell's points the hidden checks decide at grading.
    points = source / "autograde" / "assignments" / assignment_id / POINTS_FILE
    points.write_text(json.dumps(points_by_group(assignment_id), indent=1, sort_keys=True) + "\n")
    return source


def release(course_dir: Path, assignment_id: str, db_url: str | None = None, repo: Path = kit.REPO,
            due: datetime.datetime | None = None, exchange: Path | None = None) -> Path:
    """Build the source folder from ``repo`` and run nbgrader generate_assignment; return the release folder.

    ``due`` (UTC) becomes the assignment's due date in the gradebook; without it an earlier one is kept.
    ``exchange`` (a folder every account can write to) becomes the course's nbgrader exchange, and the
    release is published there with ``nbgrader release_assignment`` for students to fetch; a course
    released to an exchange before publishes there again."""
    if exchange is not None and not exchange.is_dir():
        raise UsageError(f"the exchange {exchange} is not a folder: create it, writable by every account "
                         f"(for example `mkdir -p {exchange} && chmod 1777 {exchange}`)")
    course_dir.mkdir(parents=True, exist_ok=True)
    if exchange is not None:
        config.set_exchange_root(course_dir, exchange)
    config.write(course_dir, db_url)
    build_source(course_dir, assignment_id, repo)
    commands.run(course_dir, "generate_assignment", assignment_id, "--force")
    if due is not None:
        from nbgrader.api import Gradebook

        with Gradebook(config.db_url_of(course_dir, db_url), config.COURSE_ID) as gradebook:
            gradebook.update_or_create_assignment(assignment_id, duedate=due)
    if config.exchange_root(course_dir) is not None:
        commands.run(course_dir, "release_assignment", assignment_id, "--force")
    return course_dir / "release" / assignment_id


def parse_due(text: str) -> datetime.datetime:
    """A due date as nbgrader reads one ('2026-12-01 17:00 UTC', '2026-12-01 17:00 Europe/Stockholm'; no
    zone: UTC), in UTC; UsageError for anything else."""
    import dateutil.tz
    from nbgrader import utils

    parts = text.split()
    if len(parts) == 2 and not parts[1][:1].isdigit():  # a date and a zone: the time is midnight
        parts.insert(1, "00:00")
    zone = parts[2] if len(parts) == 3 else None
    if zone and not zone.lstrip("+-").isdigit() and dateutil.tz.gettz(zone) is None:
        raise UsageError(f"--due {text!r}: {zone!r} is not a time zone; give one such as UTC or Europe/Stockholm")
    try:
        return utils.parse_utc(" ".join(parts))
    except (ValueError, OverflowError) as error:
        raise UsageError(f"--due {text!r} is not a date and time ({error}): give one such as "
                         "'2026-12-01 17:00 UTC'") from None
