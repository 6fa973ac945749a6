"""Submissions put into the course's ``submitted/`` folder, where nbgrader and the batch find them."""
from __future__ import annotations

import datetime
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader import utils

from autograde import intake, printable, student_ids
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


def import_folder(course_dir: Path, assignment_id: str, folder: Path, times: Path | None = None) -> Imported:
    """Stage every student of ``folder``: a folder ``<student>/`` or an archive ``<student>.zip`` (or
    ``.tar.gz``, ``.tgz``, ``.tar``) of the student's files and, optionally, notebooks.

    Each staged submission gets nbgrader's ``timestamp.txt`` (so that a due date set with ``dlkit
    release --due`` marks it late) from what the student cannot set: the time in ``times`` (a CSV the
    instructor exports from the platform, ``read_times``), else the file's own time on this disk (the
    archive's, or the newest of the assignment's files in a folder); ``config.TIME_RECORD`` beside it says which.
    A ``timestamp.txt`` of the student's, the dates inside an archive and folder names are never used.
    Every name is a student id by ``autograde.student_ids`` (in NFC), or refused by name.

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
    supplied = read_times(times) if times else {}
    imported = Imported()
    entries: dict[str, list[Path]] = {}
    for path in sorted(folder.iterdir()):
        if path.is_dir() or path.is_symlink():
            student = path.name
        elif intake.archive_stem(path.name):
            student = intake.archive_stem(path.name)
        else:
            imported.notes.append(f"ignored {printable.name(path.name)}: not a student's folder or archive "
                                  f"({', '.join(intake.ARCHIVES)})")
            continue
        entries.setdefault(student_ids.normalized(student), []).append(path)
    if not entries:
        raise UsageError(f"{folder} holds no student folders or archives: --submissions takes a folder of "
                         f"<student>/<files> (or <student>.zip), such as <student>/{spec.student_files[0]}")
    for student, sources in entries.items():
        why = student_ids.problem(student)
        if why:  # never staged: the name is not a folder the kit may write
            imported.refused[student] = f"'{printable.name(sources[0].name)}' is not a student id: {why}"
            continue
        try:
            if len(sources) > 1:
                raise intake.SubmissionRejected(f"both {' and '.join(_shown(p) for p in sources)} are "
                                                f"in {folder}: keep one")
            files, note, file_time = read_submission(sources[0], allowed)
        except intake.SubmissionRejected as error:
            imported.refused[student] = str(error)
            shutil.rmtree(course_dir / "submitted" / student / assignment_id, ignore_errors=True)
            continue
        if student in supplied:
            handed_in, source = supplied[student], f"{SUPPLIED} ({times.name})"
        else:
            handed_in, source = file_time
            if times:
                note = "; ".join(filter(None, [note, f"not in {times.name}: {source} is used"]))
        if note:
            imported.notes.append(f"{student}: {note}")
        record_time(files, handed_in, source)
        target = stage(course_dir, assignment_id, student, {})
        intake.write_folder(target, files)
        imported.staged.append(student)
    missing = sorted(set(supplied) - set(entries))
    if missing:
        imported.notes.append(f"{times.name} names {len(missing)} student{'s' if len(missing) > 1 else ''} with no "
                              f"submission here: {', '.join(map(printable.name, missing[:10]))}"
                              + (" and more" if len(missing) > 10 else ""))
    return imported


def _shown(path: Path) -> str:
    return printable.name(path.name) + ("/" if path.is_dir() and not path.is_symlink() else "")


def read_submission(source: Path, allowed: list[str]) -> tuple[dict[str, bytes], str, tuple[datetime.datetime, str]]:
    """The assignment's files (of ``allowed``) in one student's folder or archive, a note when they were
    found further down (or a ``timestamp.txt`` of the student's was left out), and when the submission
    reached this disk with the label of that source (``_file_time``); SubmissionRejected when the source
    breaks a rule of ``intake`` or holds none of them."""
    ignore = config.IGNORE + intake.ARCHIVER_LITTER
    archive = not (source.is_dir() or source.is_symlink())
    if archive:
        names = sorted(intake.archive_members(source, ignore))
    else:  # a folder; a link is refused here, never followed
        names = intake.names(source, ignore)
    root = _root(names, allowed)
    if root is None:
        raise intake.SubmissionRejected(f"none of the assignment's files ({', '.join(allowed)}) is in "
                                        f"{_shown(source)}; {_contents(names)}")
    wanted = [root + name for name in allowed]
    read = intake.read_archive if archive else intake.read_folder
    found = read(source, ignore, only=wanted)
    files = {name[len(root):]: content for name, content in found.items()}
    notes = [f"graded the files in {printable.name(source.name)}/{root}"] if root else []
    if root + TIMESTAMP in names:
        notes.append(f"its {TIMESTAMP} is left out (a student can write it): the time comes from what the "
                     f"student cannot set")
    return files, "; ".join(notes), _file_time(source, list(found))


#: When the student handed the work in, in nbgrader's format: its exchange writes it, autograde reads it.
TIMESTAMP = "timestamp.txt"
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"
#: The sources of a submission's time, as the grade table names them.
SUPPLIED = "the time you supplied"
ARCHIVE_TIME = "the archive's file time on this disk"
FILES_TIME = "the newest file time on this disk"
#: The column names ``read_times`` accepts, lower case, the first found wins: the student's id (Canvas's
#: SIS Login ID before its numeric ID, as ``platforms.canvas`` matches them; "student" is the last resort, as
#: Canvas's Student column holds names), and when they handed in.
STUDENT_COLUMNS = ("student_id", "sis login id", "login", "username", "sis user id", "sis_user_id", "user", "id",
                   "student")
TIME_COLUMNS = ("submitted", "submitted_at", "timestamp", "time", "handed_in", "submission_time")


#: The source of a ``timestamp.txt`` the kit did not write (placed in ``submitted/`` by hand, or replaced since).
UNCHECKED = "timestamp.txt as found in submitted/ (not checked)"


def record_time(files: dict[str, bytes], handed_in: datetime.datetime, source: str, **details: str) -> None:
    """Add nbgrader's ``timestamp.txt`` and the kit's ``config.TIME_RECORD`` (where the time came from) to
    ``files``, a submission about to be written into ``submitted/``."""
    files[TIMESTAMP] = handed_in.strftime(TIMESTAMP_FORMAT).encode()
    files[config.TIME_RECORD] = json.dumps({"timestamp": handed_in.strftime(TIMESTAMP_FORMAT), "source": source,
                                            **details}).encode()


def time_source(folder: Path, timestamp: datetime.datetime | None) -> str:
    """Where the time ``timestamp`` of the submission in ``folder`` came from (``config.TIME_RECORD``):
    ``""`` when it has no time, ``UNCHECKED`` when the kit did not record this time (the submission was
    placed or replaced by hand since)."""
    if timestamp is None:
        return ""
    try:
        record = json.loads((folder / config.TIME_RECORD).read_text())
        if utils.parse_utc(record["timestamp"]) == utils.parse_utc(timestamp):
            return printable.name(str(record["source"]))[:200]
    except (OSError, ValueError, KeyError, TypeError, OverflowError):
        pass
    return UNCHECKED


def _file_time(source: Path, names: list[str]) -> tuple[datetime.datetime, str]:
    """When the submission reached this disk, as the instructor's copy of it says: an archive's own
    modification time, or the newest of the assignment's files in a folder (not the dates inside an archive,
    which the student's archiver wrote)."""
    if source.is_dir():
        return max(intake.folder_times(source, names).values()), FILES_TIME
    modified = os.stat(source, follow_symlinks=False).st_mtime
    return datetime.datetime.fromtimestamp(modified, datetime.timezone.utc).replace(tzinfo=None), ARCHIVE_TIME


def read_times(path: Path) -> dict[str, datetime.datetime]:
    """student -> when they handed in (UTC), from a CSV the instructor exports from the learning platform:
    a header row with a student column (``student``, ``student_id``, ``login``, ``SIS Login ID``, ...) and a
    time column (``submitted_at`` as Canvas's API names it, ``submitted``, ``timestamp``, ...); times as
    ISO 8601 (``2026-03-01T09:30:15Z``) or nbgrader's format, UTC unless they say otherwise. UsageError,
    naming the row, for a file that is not one."""
    import csv

    if not path.is_file():
        raise UsageError(f"--times {path}: no such file (a CSV of student and submitted_at, from the platform's export)")
    try:
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    except (UnicodeDecodeError, csv.Error) as error:
        raise UsageError(f"--times {path} is not a UTF-8 CSV file ({error})") from None
    header = [name.strip().lower() for name in rows[0]] if rows else []
    student_column = next((header.index(n) for n in STUDENT_COLUMNS if n in header), None)
    time_column = next((header.index(n) for n in TIME_COLUMNS if n in header), None)
    if student_column is None or time_column is None:
        raise UsageError(f"--times {path}: the first row names no {'student' if student_column is None else 'time'} "
                         f"column: name one of {', '.join(STUDENT_COLUMNS if student_column is None else TIME_COLUMNS)}")
    times: dict[str, datetime.datetime] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(student_column, time_column):
            raise UsageError(f"--times {path}, row {number}: {len(row)} cells, fewer than the header's")
        student, text = student_ids.normalized(row[student_column].strip()), row[time_column].strip()
        if not text:
            continue  # not handed in
        try:
            times[student] = utils.parse_utc(text)
        except (ValueError, OverflowError):
            raise UsageError(f"--times {path}, row {number}: {printable.name(text)!r} is not a time "
                             f"(such as 2026-03-01T09:30:15Z)") from None
    return times


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

