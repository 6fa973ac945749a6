"""nbgrader's exchange between real Unix accounts: the instructor releases with `dlkit release
--exchange`, a student fetches and submits with nbgrader's own commands from their own account, and
`dlkit autograde --collect` collects and grades. A submission is the work of the account that owns it,
handed in when the file system saw it change: an entry another account made in the student's name is
not collected (a warning names that account), and neither the name's time nor the student's own
timestamp.txt sets the time.

The student's account is created for the test (root can; elsewhere the test is skipped, saying why).
It runs Debian's Python 3.11 with nbgrader and what it needs, linked from the kit's installed packages
into a folder every account can read: the kit's interpreter (under /root) and its checkout (perhaps
under a private folder) may be out of another account's reach. The tests of the collection alone make
the entries of two system accounts (daemon, nobody) with chown: root only, no account created."""
from __future__ import annotations

import datetime
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from autograde import cli, kit, printable
from autograde.course import config, exchange, submissions
from autograde.reports import grade_table
from autograde.student import registry

ASSIGNMENT = "logistic_regression"
STUDENT_PYTHON = Path("/usr/bin/python3.11")


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "creating a second Unix account needs root"
    if not shutil.which("useradd") or not shutil.which("runuser"):
        return "useradd and runuser are needed to act as a second account"
    if not STUDENT_PYTHON.exists():
        return f"{STUDENT_PYTHON} (Debian's python3.11) is needed to run nbgrader as the student"
    return None


accounts = pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="handing files to other accounts (chown) needs root")


@pytest.fixture(scope="module")
def student_site():
    """nbgrader and its requirements where the student's account can read them."""
    from support import student_env

    folder = Path(tempfile.mkdtemp(prefix="dlkit-student-site-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        yield student_env.readable_copy(folder / "site-packages", ["nbgrader"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _account(role: str):
    name = f"dlkit-{role}-{secrets.token_hex(3)}"
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)
    try:
        yield name
    finally:
        subprocess.run(["userdel", "--remove", name], capture_output=True)


@pytest.fixture
def student():
    yield from _account("student")


@pytest.fixture
def impostor():
    yield from _account("impostor")


def as_account(name: str, *command: str, cwd: Path, site: Path | None = None) -> str:
    """Run ``command`` as the account ``name``, in their own home, with their own environment."""
    home = Path(f"/home/{name}")
    environment = {"HOME": str(home), "USER": name, "LOGNAME": name, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
                   **({"PYTHONPATH": str(site)} if site else {})}
    ran = subprocess.run(["runuser", "-u", name, "--", "env", "-i", *(f"{k}={v}" for k, v in environment.items()),
                          *command], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stdout[-2000:] + ran.stderr[-3000:]
    return ran.stdout + ran.stderr


def as_student(name: str, site: Path, *arguments: str, cwd: Path) -> str:
    """Run ``python -m nbgrader ARGUMENTS`` as the student, with nbgrader from ``site``."""
    return as_account(name, str(STUDENT_PYTHON), "-m", "nbgrader", *arguments, cwd=cwd, site=site)


@pytest.mark.heavy
@accounts
def test_the_instructor_collects_and_grades_the_students_own_submission_at_the_time_the_file_system_saw_it(
        tmp_path, student, impostor, student_site, mnist, capsys):
    exchange_dir = Path(tempfile.mkdtemp(prefix="dlkit-exchange-", dir="/tmp"))
    try:
        exchange_dir.chmod(0o1777)  # every account hands work in; nbgrader's own permissions keep them apart
        course = tmp_path / "course"
        assert cli.main(["release", ASSIGNMENT, "--course-dir", str(course), "--exchange", str(exchange_dir),
                         "--due", "2020-01-01 00:00 UTC"]) == 0
        assert f"published to nbgrader's exchange in {exchange_dir}" in capsys.readouterr().out

        home = Path(f"/home/{student}")
        flags = ["--course", "dlkit", f"--Exchange.root={exchange_dir}"]
        as_student(student, student_site, "fetch_assignment", ASSIGNMENT, *flags, cwd=home)
        fetched = home / ASSIGNMENT
        assert (fetched / f"{ASSIGNMENT}.ipynb").is_file() and (fetched / "requirements.txt").is_file()
        account = pwd.getpwnam(student)
        for relative in registry.get(ASSIGNMENT).student_files:  # the student's work: the reference, here
            shutil.copy(kit.solutions(ASSIGNMENT) / relative, fetched / relative)
            os.chown(fetched / relative, account.pw_uid, account.pw_gid)
        as_student(student, student_site, "submit", ASSIGNMENT, *flags, cwd=home)
        inbound = exchange_dir / "dlkit" / "inbound"
        [genuine] = inbound.iterdir()
        # Late (the due date has passed), the student claims an early time in the submission's timestamp.txt...
        as_account(student, "sh", "-c", 'printf "2000-01-01 00:00:00.000000 UTC" > "$1/timestamp.txt"', "sh",
                   str(genuine), cwd=home)
        # ... and another account hands the starter in, in the student's name, later than the student did.
        just_now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
        forged = [f"{student}+{ASSIGNMENT}+{just_now}+forged", f"{student}+{ASSIGNMENT}+2099-01-01 00:00:00.000000 UTC"]
        as_account(impostor, "sh", "-c", 'cp -r "$1" "$2" && cp -r "$1" "$3"', "sh",
                   str(exchange_dir / "dlkit" / "outbound" / ASSIGNMENT), *(str(inbound / name) for name in forged),
                   cwd=Path(f"/home/{impostor}"))

        assert cli.main(["autograde", ASSIGNMENT, "--course-dir", str(course), "--collect", "--jobs", "1"]) == 0
        printed = capsys.readouterr().out
        _, rows = grade_table.collect(course, ASSIGNMENT)
        assert [(r.student, r.status, r.score, r.max_score) for r in rows] == [(student, "graded", 14.0, 14.0)], \
            "the student's own submission is graded, not the impostor's"
        assert f"collected 1 submission of {ASSIGNMENT} from nbgrader's exchange: {student}\n" in printed, printed
        for name in forged:
            assert (f"warning: inbound/{name} was not collected: it is handed in as {student} but belongs to the "
                    f"account {impostor}") in printed, printed
        changed = max(entry.stat().st_ctime_ns for entry in [genuine, *genuine.rglob("*")])
        handed_in = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=changed // 1000)
        assert (rows[0].timestamp, rows[0].time_source) == (handed_in, exchange.EXCHANGE_CTIME), \
            "the time of the submission is when the file system saw it change, not what the student wrote"
        assert f"  {student}: submitted {handed_in:%Y-%m-%d %H:%M:%S} UTC (exchange ctime)" in printed
        assert rows[0].seconds_late > 0
        assert sorted(path.name for path in inbound.iterdir()) == sorted([genuine.name, *forged]), \
            "the exchange is the instructor's: nothing in it is removed"
    finally:
        shutil.rmtree(exchange_dir, ignore_errors=True)


SYSTEM_ACCOUNTS = ("daemon", "nobody")


def _entry(inbound: Path, name: str, owner: str, files: dict[str, str]) -> Path:
    """An entry of the exchange as the account ``owner`` would make it (chown: made just now)."""
    account = pwd.getpwnam(owner)
    folder = inbound / name
    folder.mkdir()
    for relative, content in files.items():
        (folder / relative).write_text(content)
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, account.pw_uid, account.pw_gid, follow_symlinks=False)
    return folder


def _changed(folder: Path) -> datetime.datetime:
    newest = max(os.lstat(path).st_ctime_ns for path in [folder, *folder.rglob("*")])
    return datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=newest // 1000)


@pytest.fixture
def course_with_exchange(tmp_path) -> tuple[Path, Path]:
    """(course, the exchange's inbound folder): a course released to an exchange, as far as collecting needs."""
    for name in SYSTEM_ACCOUNTS:
        try:
            pwd.getpwnam(name)
        except KeyError:
            pytest.skip(f"the system account {name} is needed to own entries of the exchange")
    course, inbound = tmp_path / "course", tmp_path / "exchange" / "dlkit" / "inbound"
    (course / "release" / ASSIGNMENT).mkdir(parents=True)
    inbound.mkdir(parents=True)
    config.set_exchange_root(course, tmp_path / "exchange")
    return course, inbound


@as_root
def test_collect_takes_the_students_latest_own_entry_at_its_change_time_and_names_the_owners_of_the_others(
        course_with_exchange):
    course, inbound = course_with_exchange
    student, other = SYSTEM_ACCOUNTS
    early, future = "2026-01-01 10:00:00.000000 UTC", "2099-01-01 00:00:00.000000 UTC"
    genuine = _entry(inbound, f"{student}+{ASSIGNMENT}+{early}+a1", student,
                     {"model.py": "genuine", "timestamp.txt": "2000-01-01 00:00:00.000000 UTC"})
    just_now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    refused = {  # name -> owner, what the warning says
        f"{student}+{ASSIGNMENT}+{just_now}+b2": (other, f"it is handed in as {student} but belongs to the "
                                                         f"account {other}"),
        f"{student}+{ASSIGNMENT}+{future}+c3": (other, f"belongs to the account {other}"),
        f"{other}+{ASSIGNMENT}+{future}+d4": (other, f"its name claims 2099-01-01 00:00 UTC, a time still to come "
                                                     f"(it belongs to {other})"),
        f"{student}+{ASSIGNMENT}+{early}+\x1b[2J\nALL PASSED": (other, "belongs to the account"),
    }
    for name, (owner, _) in refused.items():
        _entry(inbound, name, owner, {"model.py": "starter"})
    # The student's own, made later, but another account wrote into it.
    mixed = _entry(inbound, f"{student}+{ASSIGNMENT}+{early}+e5", student, {"model.py": "mixed"})
    _entry(mixed, "notes", other, {"extra.py": "other's"})

    collected = exchange.collect(course, ASSIGNMENT)
    submitted = course / "submitted" / student / ASSIGNMENT
    assert (collected.students, collected.refused) == ([student], {})
    assert (submitted / "model.py").read_text() == "genuine"
    handed_in = _changed(genuine)
    assert collected.times == {student: handed_in}
    assert (submitted / "timestamp.txt").read_text() == f"{handed_in:%Y-%m-%d %H:%M:%S.%f} UTC", \
        "the student's own timestamp.txt (2000) is replaced by the entry's change time"
    assert submissions.time_source(submitted, handed_in) == exchange.EXCHANGE_CTIME
    assert submissions.time_source(submitted, handed_in + datetime.timedelta(seconds=1)) == submissions.UNCHECKED
    shown = {warning.split(" was not collected: ")[0]: warning for warning in collected.warnings}
    for name, (_, why) in refused.items():
        assert why in shown[printable.name(f"inbound/{name}")]
    assert f"it holds files of {other}, not only of {student}" in shown[f"inbound/{mixed.name}"]
    assert len(collected.warnings) == 5 and not any("\n" in w or "\x1b" in w for w in collected.warnings)
    assert len(list(inbound.iterdir())) == 6, "nothing is removed from the exchange"

    assert exchange.collect(course, ASSIGNMENT).students == [], "nothing changed: nothing newer to collect"
    # A folder handed in early and filled late is late.
    _entry(genuine, "later", student, {"model.py": "filled late"})
    again = exchange.collect(course, ASSIGNMENT)
    assert again.students == [student] and again.times[student] > handed_in
    assert (submitted / "later" / "model.py").read_text() == "filled late"


@as_root
def test_a_students_latest_entry_that_breaks_a_rule_of_intake_is_refused_and_no_older_one_is_graded_instead(
        course_with_exchange):
    course, inbound = course_with_exchange
    student = SYSTEM_ACCOUNTS[0]
    _entry(inbound, f"{student}+{ASSIGNMENT}+2026-01-01 10:00:00.000000 UTC+a", student, {"model.py": "older"})
    assert exchange.collect(course, ASSIGNMENT).students == [student]
    latest = _entry(inbound, f"{student}+{ASSIGNMENT}+2026-01-02 10:00:00.000000 UTC+b", student, {})
    (latest / "model.py").symlink_to("/etc/passwd")
    os.chown(latest / "model.py", pwd.getpwnam(student).pw_uid, 0, follow_symlinks=False)
    collected = exchange.collect(course, ASSIGNMENT)
    assert collected.students == [] and "model.py is a symbolic link (to /etc/passwd)" in collected.refused[student]
    assert not (course / "submitted" / student / ASSIGNMENT).exists()
