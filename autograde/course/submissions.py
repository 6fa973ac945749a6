"""Submissions put into the course's ``submitted/`` folder, where nbgrader and the batch find them."""
from __future__ import annotations

import datetime
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader import utils

from autograde import intake
from autograde.course import config
from autograde.errors import UsageError
from autograde.student import registry


def stage(course_dir: Path, assignment_id: str, student: str, files: dict[str, Path]) -> Path:
    """Put a submission in nbgrader's submitted/ folder: the released notebooks plus ``files``
    (path in the submission -> file to copy)."""
    target = course_dir / "submitted" / student / assignment_id
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(course_dir / "release" / assignment_id, target)
    for name, path in files.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / name)
    return target


def require_released(course_dir: Path, assignment_id: str) -> None:
    """Raise UsageError, saying what to run, when ``assignment_id`` has no release in ``course_dir``."""
    if not (course_dir / "release" / assignment_id).is_dir():
        raise UsageError(f"{assignment_id} is not released in {course_dir}: run "
                         f"`dlkit release {assignment_id} --course-dir {course_dir}` first")


@dataclass
class Imported:
    """What ``import_folder`` did: the students staged, those refused (student -> why), and notes on
    what it read differently from ``<student>/<files>`` (files found further down, entries ignored)."""

    staged: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def import_folder(course_dir: Path, assignment_id: str, folder: Path) -> Imported:
    """Stage every student of ``folder``: a folder ``<student>/`` or an archive ``<student>.zip`` (or
    ``.tar.gz``, ``.tgz``, ``.tar``) of the student's files and, optionally, notebooks.

    Each staged submission gets nbgrader's ``timestamp.txt`` (so that a due date set with ``dlkit
    release --due`` marks it late): the student's own ``timestamp.txt``, as nbgrader's exchange writes
    it, else the time the newest of the assignment's files was modified, as the folder or the
    archive records it.

    Everything is read safely (``intake``: no links, devices, names leaving the folder, oversized
    files; archives are read in memory, never unpacked to disk). The assignment's files may sit one
    or more folders down (``frank/softmax_mlp/<files>``, as a learning platform's download or a
    zipped folder has them): the folder holding most of them is used, and a note says so. A student
    with none of the assignment's files is refused with what the submission does hold, so that it
    is never graded as the starter. A refused student's earlier submission, if any, is removed from
    ``submitted/``, so that it is not graded instead.
    """
    spec = registry.get(assignment_id)
    allowed = list(spec.student_files) + [f"{n}.ipynb" for n in spec.notebooks]
    require_released(course_dir, assignment_id)
    if not folder.exists():
        raise UsageError(f"the submissions folder {folder} does not exist")
    if not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder: --submissions takes a folder that holds one folder "
                         f"(or .zip) per student (<student>/<files>)")
    imported = Imported()
    entries: dict[str, list[Path]] = {}
    for path in sorted(folder.iterdir()):
        if path.is_dir() or path.is_symlink():
            entries.setdefault(path.name, []).append(path)
        elif intake.archive_stem(path.name):
            entries.setdefault(intake.archive_stem(path.name), []).append(path)
        else:
            imported.notes.append(f"ignored {path.name}: not a student's folder or archive "
                                  f"({', '.join(intake.ARCHIVES)})")
    if not entries:
        raise UsageError(f"{folder} holds no student folders or archives: --submissions takes a folder of "
                         f"<student>/<files> (or <student>.zip), such as <student>/{spec.student_files[0]}")
    for student, sources in entries.items():
        try:
            if len(sources) > 1:
                raise intake.SubmissionRejected(f"both {' and '.join(_shown(p) for p in sources)} are "
                                                f"in {folder}: keep one")
            files, note = read_submission(sources[0], allowed)
        except intake.SubmissionRejected as error:
            imported.refused[student] = str(error)
            shutil.rmtree(course_dir / "submitted" / student / assignment_id, ignore_errors=True)
            continue
        if note:
            imported.notes.append(f"{student}: {note}")
        target = stage(course_dir, assignment_id, student, {})
        intake.write_folder(target, files)
        imported.staged.append(student)
    return imported


def _shown(path: Path) -> str:
    return path.name + ("/" if path.is_dir() and not path.is_symlink() else "")


def read_submission(source: Path, allowed: list[str]) -> tuple[dict[str, bytes], str]:
    """The assignment's files (of ``allowed``) in one student's folder or archive, with nbgrader's
    ``timestamp.txt``, and a note when they were found further down; SubmissionRejected when the
    source breaks a rule of ``intake`` or holds none of them."""
    ignore = config.IGNORE + intake.ARCHIVER_LITTER
    archive = not (source.is_dir() or source.is_symlink())
    if archive:
        times = intake.archive_members(source, ignore)
        names = sorted(times)
    else:  # a folder; a link is refused here, never followed
        names = intake.names(source, ignore)
    root = _root(names, allowed)
    if root is None:
        raise intake.SubmissionRejected(f"none of the assignment's files ({', '.join(allowed)}) is in "
                                        f"{_shown(source)}; {_contents(names)}")
    wanted = [root + name for name in allowed]
    if archive:
        files = intake.read_archive(source, ignore, only=[*wanted, root + TIMESTAMP])
    else:
        files = intake.read_folder(source, ignore, only=[*wanted, root + TIMESTAMP])
        times = intake.folder_times(source, files)
    files = {name[len(root):]: content for name, content in files.items()}
    notes = [f"graded the files in {source.name}/{root}"] if root else []
    stamped = _timestamp(files.pop(TIMESTAMP, None))
    if stamped is None:  # the newest of the assignment's files, as the folder or the archive has it
        stamped = max(times[root + name] for name in files)
        if TIMESTAMP in {name[len(root):] for name in names if name.startswith(root)}:
            notes.append(f"its {TIMESTAMP} is not a time nbgrader reads; the newest file's time is used instead")
    files[TIMESTAMP] = stamped.strftime(TIMESTAMP_FORMAT).encode()
    return files, "; ".join(notes)


#: When the student handed the work in, in nbgrader's format: its exchange writes it, autograde reads it.
TIMESTAMP = "timestamp.txt"
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"


def _timestamp(content: bytes | None) -> datetime.datetime | None:
    """The UTC time in a ``timestamp.txt``; None when there is none or nbgrader could not read it."""
    if content is None:
        return None
    try:
        return utils.parse_utc(content.decode("utf-8").strip())
    except (ValueError, OverflowError, UnicodeDecodeError):
        return None


def _root(names: list[str], allowed: list[str]) -> str | None:
    """The folder (``""`` or ``"a/b/"``) that holds most of the ``allowed`` files, the shallowest of
    equals; None when no folder holds any."""
    found: dict[str, int] = {}
    for name in names:
        for wanted in allowed:
            if name == wanted or name.endswith("/" + wanted):
                prefix = name[:len(name) - len(wanted)]
                found[prefix] = found.get(prefix, 0) + 1
    if not found:
        return None
    return min(found, key=lambda prefix: (-found[prefix], prefix.count("/"), prefix))


def _contents(names: list[str], shown: int = 6) -> str:
    """``it holds notes.txt, old/ (2 files)``: the top level of a submission, folders with their file count."""
    if not names:
        return "it holds no files"
    top: dict[str, int] = {}
    for name in names:
        head, _, rest = name.partition("/")
        key = head + "/" if rest else head
        top[key] = top.get(key, 0) + 1
    items = [f"{key} ({count} file{'s' if count > 1 else ''})" if key.endswith("/") else key
             for key, count in sorted(top.items())]
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return "it holds " + ", ".join(items[:shown]) + more

