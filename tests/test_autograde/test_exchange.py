"""nbgrader's exchange between two real Unix accounts: the instructor releases with `dlkit release
--exchange`, a student fetches and submits with nbgrader's own commands from their own account, and
`dlkit autograde --collect` collects (timestamps kept) and grades.

The student's account is created for the test (root can; elsewhere the test is skipped, saying why).
It runs Debian's Python 3.11 with nbgrader and what it needs, linked from the kit's installed packages
into a folder every account can read: the kit's interpreter (under /root) and its checkout (perhaps
under a private folder) may be out of another account's reach."""
from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from autograde import cli, kit
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


pytestmark = pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")


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


@pytest.fixture
def student():
    name = f"dlkit-student-{secrets.token_hex(3)}"
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)
    try:
        yield name
    finally:
        subprocess.run(["userdel", "--remove", name], capture_output=True)


def as_student(name: str, site: Path, *arguments: str, cwd: Path) -> str:
    """Run ``python -m nbgrader ARGUMENTS`` as the student, in their own home, with their own environment."""
    home = Path(f"/home/{name}")
    environment = {"HOME": str(home), "USER": name, "LOGNAME": name, "PATH": "/usr/bin:/bin",
                   "PYTHONPATH": str(site), "LANG": "C.UTF-8"}
    ran = subprocess.run(["runuser", "-u", name, "--", "env", "-i", *(f"{k}={v}" for k, v in environment.items()),
                          str(STUDENT_PYTHON), "-m", "nbgrader", *arguments], cwd=cwd, capture_output=True, text=True,
                         timeout=300)
    assert ran.returncode == 0, ran.stdout[-2000:] + ran.stderr[-3000:]
    return ran.stdout + ran.stderr


def test_a_student_fetches_and_submits_from_their_account_and_the_instructor_collects_and_grades(
        tmp_path, student, student_site, mnist, capsys):
    exchange = Path(tempfile.mkdtemp(prefix="dlkit-exchange-", dir="/tmp"))
    try:
        exchange.chmod(0o1777)  # every account hands work in; nbgrader's own permissions keep them apart
        course = tmp_path / "course"
        assert cli.main(["release", ASSIGNMENT, "--course-dir", str(course), "--exchange", str(exchange)]) == 0
        assert f"published to nbgrader's exchange in {exchange}" in capsys.readouterr().out

        home = Path(f"/home/{student}")
        flags = ["--course", "dlkit", f"--Exchange.root={exchange}"]
        as_student(student, student_site, "fetch_assignment", ASSIGNMENT, *flags, cwd=home)
        fetched = home / ASSIGNMENT
        assert (fetched / f"{ASSIGNMENT}.ipynb").is_file() and (fetched / "requirements.txt").is_file()
        account = pwd.getpwnam(student)
        for relative in registry.get(ASSIGNMENT).student_files:  # the student's work: the reference, here
            shutil.copy(kit.solutions(ASSIGNMENT) / relative, fetched / relative)
            os.chown(fetched / relative, account.pw_uid, account.pw_gid)
        as_student(student, student_site, "submit", ASSIGNMENT, *flags, cwd=home)

        assert cli.main(["autograde", ASSIGNMENT, "--course-dir", str(course), "--collect", "--jobs", "1"]) == 0
        printed = capsys.readouterr().out
        assert f"collected 1 submission of {ASSIGNMENT} from nbgrader's exchange" in printed, printed
        _, rows = grade_table.collect(course, ASSIGNMENT)
        assert [(r.student, r.status, r.score, r.max_score) for r in rows] == [(student, "graded", 14.0, 14.0)]
        assert rows[0].timestamp is not None, "the time of the submission came through the exchange"
    finally:
        shutil.rmtree(exchange, ignore_errors=True)
