"""A shared course's gradebook on a real PostgreSQL server (Debian's package, started here on 127.0.0.1):
release, autograde in parallel, resume, grades and the report all run through `--db-url`, and nothing
falls back to a SQLite file. Skipped, saying why, where the server cannot be had."""
from __future__ import annotations

import csv
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from autograde import cli
from autograde.course import submissions
from support.examples import bug_file

ASSIGNMENT = "logistic_regression"
FILE = "logistic_regression.py"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_postgres(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", "postgres", "--", *command], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def postgres():
    """A throwaway PostgreSQL server: its URL (database dlkit, trusted local connections only)."""
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not binaries:
        pytest.skip("PostgreSQL is not installed (Debian's postgresql package; `make test` installs it as root)")
    if shutil.which("runuser") is None or subprocess.run(["id", "postgres"], capture_output=True).returncode:
        pytest.skip("the server runs as the postgres account, which is missing (or runuser is)")
    bin_dir = binaries[-1].parent
    data = Path(tempfile.mkdtemp(prefix="dlkit-postgres-", dir="/tmp"))
    shutil.chown(data, "postgres")
    port = _free_port()
    started = False
    try:
        ran = _as_postgres(str(bin_dir / "initdb"), "-D", str(data / "db"), "-A", "trust", "-U", "postgres", "--no-sync")
        if ran.returncode:
            pytest.skip(f"initdb failed: {ran.stderr[-500:]}")
        ran = _as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-l", str(data / "server.log"), "-w",
                           "-o", f"-h 127.0.0.1 -p {port} -k {data}", "start")
        if ran.returncode:
            pytest.skip(f"the PostgreSQL server did not start: {ran.stdout[-300:]} {ran.stderr[-300:]}")
        started = True
        ran = _as_postgres(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "dlkit")
        assert ran.returncode == 0, ran.stderr
        yield f"postgresql://postgres@127.0.0.1:{port}/dlkit"
    finally:
        if started:
            _as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-m", "fast", "stop")
        shutil.rmtree(data, ignore_errors=True)


def test_a_class_is_graded_into_postgresql_and_read_back_from_it(postgres, tmp_path, capsys, mnist):
    import psycopg

    course = tmp_path / "course"
    database = ["--course-dir", str(course), "--db-url", postgres]
    assert cli.main(["release", ASSIGNMENT, *database]) == 0
    submissions.stage(course, ASSIGNMENT, "reference", {FILE: Path("solutions") / ASSIGNMENT / FILE})
    submissions.stage(course, ASSIGNMENT, "forgot_decay", {FILE: bug_file(ASSIGNMENT, "decay_missing_from_gradient", FILE)})
    assert cli.main(["autograde", ASSIGNMENT, *database, "--jobs", "2"]) == 0
    assert "2 graded" in capsys.readouterr().out
    assert cli.main(["autograde", ASSIGNMENT, *database, "--jobs", "2"]) == 0
    assert "2 skipped, already graded with the same files" in capsys.readouterr().out  # resumes from PostgreSQL

    assert cli.main(["grades", ASSIGNMENT, *database, "--csv", str(tmp_path / "grades.csv")]) == 0
    scores = {row["student"]: row["score"] for row in csv.DictReader((tmp_path / "grades.csv").open())}
    assert scores == {"forgot_decay": "12.0", "reference": "14.0"}
    assert cli.main(["report", ASSIGNMENT, *database, "--output", str(tmp_path / "report.html")]) == 0
    assert "forgot_decay" in (tmp_path / "report.html").read_text()

    assert not (course / "gradebook.db").exists(), "a SQLite gradebook was made beside the server's"
    with psycopg.connect(postgres) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT s.id, sum(g.auto_score) FROM submitted_assignment a JOIN student s ON a.student_id = s.id "
                       "JOIN submitted_notebook n ON n.assignment_id = a.id JOIN grade g ON g.notebook_id = n.id "
                       "GROUP BY s.id ORDER BY s.id")
        assert cursor.fetchall() == [("forgot_decay", 12.0), ("reference", 14.0)]
