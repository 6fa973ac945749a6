"""Collecting from nbgrader's exchange: a submission is the work of the account that owns it, handed in
when the file system says it last changed.

Every account can create folders in the exchange's ``inbound/``, named ``<student>+<assignment>+<time>``
(with a random suffix: ``nbgrader submit`` writes them), and the student chooses both the name and
the ``timestamp.txt`` inside. ``nbgrader collect`` believes them: it takes the entry with the latest
time in its name as the student's submission, whoever made it (it only logs "cheating attempt?"),
and keeps that time. So the kit collects itself, trusting only what an account cannot set:

- whose it is: the Unix account owning the entry and everything in it (``pwd``) must be the student
  the name gives; an entry made by another account is not collected, and a warning names that account;
- when: the newest change time (ctime) of the entry and of everything in it, which no one but the
  clock sets (a folder made early and filled late is late). The student's ``timestamp.txt`` is
  replaced by it; a name claiming a time still to come is not collected.

The student's latest entry by that time is copied into ``submitted/<student>/<assignment>/``, with
nbgrader's ``timestamp.txt``, as ``nbgrader collect --update`` lays it out (it writes nothing else:
``nbgrader autograde`` adds the student to the gradebook), and with ``config.TIME_RECORD``
(``submissions.record_time``, never carried to grading), which says where the time came from. A name
that is not a student id (``autograde.student_ids``) is not collected. Entries are only read: the exchange is the instructor's, and nothing in it is removed.
"""
from __future__ import annotations

import datetime
import os
import pwd
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader import utils

from autograde import intake, printable, student_ids
from autograde.course import config
from autograde.course import submissions
from autograde.course.submissions import TIMESTAMP, require_released
from autograde.errors import UsageError

#: The source of the time of a submission collected from the exchange.
EXCHANGE_CTIME = "exchange ctime"
#: How far ahead of this machine's clock a name's time may be (the student's clock may run a little fast).
CLOCK_SKEW = datetime.timedelta(minutes=5)


@dataclass
class Collected:
    """What ``collect`` did: the students whose submission is new or newer, with its time; those whose latest
    entry breaks a rule of ``intake`` (student -> why: graded as rejected); the entries left alone, and why."""

    students: list[str] = field(default_factory=list)
    times: dict[str, datetime.datetime] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Entry:
    path: Path
    student: str
    uid: int  # the student's account, which owns the entry
    changed: datetime.datetime  # the newest ctime of the entry and everything in it (UTC)


def collect(course_dir: Path, assignment_id: str, now: datetime.datetime | None = None) -> Collected:
    """Collect each student's latest genuine entry of ``assignment_id`` from the course's exchange into
    ``submitted/``, when it is newer than the submission there (``now``: this machine's clock, UTC)."""
    exchange = config.exchange_root(course_dir)
    if exchange is None:
        raise UsageError(f"{course_dir} has no nbgrader exchange: release with "
                         f"`dlkit release {assignment_id} --exchange DIR` first, or drop --collect")
    require_released(course_dir, assignment_id)
    inbound = exchange / config.COURSE_ID / "inbound"
    if not inbound.is_dir():
        raise UsageError(f"the exchange has no {inbound}: release with `dlkit release {assignment_id} "
                         f"--exchange {exchange}` again")
    now = now or _utc_now()
    collected = Collected()
    genuine: dict[str, list[_Entry]] = {}
    for entry in _entries(inbound, assignment_id, now, collected.warnings):
        genuine.setdefault(entry.student, []).append(entry)
    for student, entries in sorted(genuine.items()):
        _collect_latest(course_dir, assignment_id, student, entries, now, collected)
    return collected


def _entries(inbound: Path, assignment_id: str, now: datetime.datetime, warnings: list[str]) -> list[_Entry]:
    """The entries of ``inbound`` for ``assignment_id`` that are their student's own; a warning for each other."""
    with os.scandir(inbound) as listing:
        names = sorted(item.name for item in listing if f"+{assignment_id}+" in item.name)
    entries = []
    for name in names:
        try:
            entry = _genuine(inbound / name, assignment_id, now)
        except _NotCollected as why:
            warnings.append(f"{inbound.name}/{printable.name(name)} was not collected: {why}")
            continue
        except FileNotFoundError:  # gone since the listing
            continue
        entries.append(entry)
    return entries


class _NotCollected(Exception):
    """Why an entry of the exchange is not a student's submission."""


def _genuine(path: Path, assignment_id: str, now: datetime.datetime) -> _Entry:
    """The entry at ``path``; _NotCollected when it is not its student's own, or claims a time still to come."""
    status = os.lstat(path)
    owner = _account(status.st_uid)
    parts = path.name.split("+")
    if len(parts) not in (3, 4) or parts[1] != assignment_id:
        raise _NotCollected(f"it is not named <student>+{assignment_id}+<time> as nbgrader submit names a "
                            f"submission (it belongs to {owner})")
    student = parts[0]
    problem = student_ids.problem(student)
    if problem:
        raise _NotCollected(f"{printable.name(student)} is not a student id: {problem} (it belongs to {owner})")
    if owner != student:
        raise _NotCollected(f"it is handed in as {printable.name(student)} but belongs to the account {owner} (a "
                            f"submission is the work of the account that made it)")
    if not stat.S_ISDIR(status.st_mode):
        raise _NotCollected("it is not a folder")
    claimed = _parsed(parts[2])
    if claimed is None:
        raise _NotCollected(f"its name claims no time nbgrader reads (it belongs to {owner})")
    if claimed > now + CLOCK_SKEW:
        raise _NotCollected(f"its name claims {claimed:%Y-%m-%d %H:%M} UTC, a time still to come (it belongs to "
                            f"{owner})")
    return _Entry(path, student, status.st_uid, _changed(path, status.st_uid))


def _collect_latest(course_dir: Path, assignment_id: str, student: str, entries: list[_Entry],
                    now: datetime.datetime, collected: Collected) -> None:
    """Copy the latest of ``student``'s ``entries`` into ``submitted/`` if it is newer than what is there."""
    latest = max(entries, key=lambda entry: entry.changed)
    target = course_dir / "submitted" / student / assignment_id
    existing = _existing_time(target)
    if existing is not None and existing <= now + CLOCK_SKEW and latest.changed <= existing:
        return  # what is there is as new (a time after now is no one's but a student's: it is replaced)
    try:
        files = intake.read_folder(latest.path, config.IGNORE)
        # The time (and the owners) are read after the files: whatever was read had been written by then.
        changed = _changed(latest.path, latest.uid)
    except (intake.SubmissionRejected, OSError) as error:
        reason = error if isinstance(error, intake.SubmissionRejected) else f"it cannot be read ({error.strerror})"
        collected.refused[student] = f"{printable.name(latest.path.name)} in nbgrader's exchange: {reason}"
        shutil.rmtree(target, ignore_errors=True)  # never graded in its place
        return
    except _NotCollected as why:  # another account wrote into it (or put its own in its place) while it was read
        collected.warnings.append(f"{latest.path.parent.name}/{printable.name(latest.path.name)} was not collected: {why}")
        others = [entry for entry in entries if entry is not latest]
        if others:
            _collect_latest(course_dir, assignment_id, student, others, now, collected)
        return
    submissions.record_time(files, changed, EXCHANGE_CTIME, entry=latest.path.name)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    intake.write_folder(target, files)
    collected.students.append(student)
    collected.times[student] = changed


def _changed(path: Path, uid: int) -> datetime.datetime:
    """The newest change time (UTC) of ``path`` and of everything below it, links not followed; _NotCollected
    when any of it belongs to an account other than ``uid``, or cannot be read."""
    newest, owners = 0, set()
    try:
        for status in _statuses(path):
            newest = max(newest, status.st_ctime_ns)
            owners.add(status.st_uid)
    except FileNotFoundError:  # the entry is gone: the caller decides
        raise
    except OSError as error:
        raise _NotCollected(f"it cannot be read ({error.strerror}: {printable.name(str(error.filename))})") from None
    strangers = sorted(_account(owner) for owner in owners - {uid})
    if strangers:
        raise _NotCollected(f"it holds files of {', '.join(strangers)}, not only of {_account(uid)}")
    return datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=newest // 1000)


def _statuses(path: Path):
    """``os.lstat`` of ``path`` and of everything below it (a stack, not recursion: folders may nest deep)."""
    pending = [path]
    while pending:
        current = pending.pop()
        status = os.lstat(current)
        yield status
        if stat.S_ISDIR(status.st_mode):
            with os.scandir(current) as listing:
                pending += [Path(item.path) for item in listing]


def _account(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid} (no account)"


def _parsed(text: str) -> datetime.datetime | None:
    try:
        return utils.parse_utc(text)
    except (ValueError, OverflowError):
        return None


def _existing_time(target: Path) -> datetime.datetime | None:
    try:
        return _parsed((target / TIMESTAMP).read_text().strip())
    except (OSError, UnicodeDecodeError):
        return None


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
