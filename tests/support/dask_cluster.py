"""A real Dask cluster on 127.0.0.1, as an instructor starts one: `dask scheduler` and `dask worker` processes
with the course's certificates (`dlkit cluster init`), and workers started with other credentials or none."""
from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from autograde.batch import security

DASK = str(Path(sys.executable).with_name("dask"))


def tls_options(folder: Path, role: str) -> list[str]:
    return ["--tls-ca-file", str(folder / security.CA), "--tls-cert", str(folder / security.certificate(role)),
            "--tls-key", str(folder / security.key(role))]


def _start(command: Sequence[str], log: Path) -> subprocess.Popen:
    with open(log, "wb") as output:
        return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


class Cluster:
    """The scheduler's address, and ``worker(...)`` to start more workers against it."""

    def __init__(self, address: str, logs: Path) -> None:
        self.address, self.logs = address, logs
        self.processes: list[subprocess.Popen] = []

    def worker(self, name: str, options: Sequence[str] = (), address: str | None = None,
               workers: int = 1) -> subprocess.Popen:
        """`dask worker` with ``options`` (its credentials) against the scheduler (or ``address``); its output
        goes to ``logs/<name>.log``."""
        process = _start([DASK, "worker", address or self.address, "--nworkers", str(workers), "--nthreads", "1",
                          "--no-dashboard", *options], self.logs / f"{name}.log")
        self.processes.append(process)
        return process

    def workers_seen(self, course_dir: Path) -> int:
        """The workers the scheduler has, asked as dlkit autograde asks (the course's client certificate)."""
        from distributed import Client

        with Client(self.address, timeout=30, security=security.client_security(course_dir)) as client:
            return len(client.scheduler_info()["workers"])

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


@contextlib.contextmanager
def tls_cluster(course_dir: Path, workers: int, logs: Path) -> Iterator[Cluster]:
    """`dask scheduler --protocol tls` and `dask worker --nworkers WORKERS --nthreads 1` with the course's
    certificates (made with `dlkit cluster init` when the course has none), on 127.0.0.1; waits until every
    worker has joined."""
    folder = security.folder_of(course_dir)
    if not (folder / security.CA).exists():
        security.init(course_dir)
    logs.mkdir(parents=True, exist_ok=True)
    scheduler_file = logs / "scheduler.json"
    scheduler = _start([DASK, "scheduler", "--protocol", "tls", "--host", "127.0.0.1", "--port", "0",
                        "--no-dashboard", "--scheduler-file", str(scheduler_file), *tls_options(folder, "scheduler")],
                       logs / "scheduler.log")
    cluster = None
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline and scheduler.poll() is None:
            time.sleep(0.1)
        assert scheduler_file.exists(), (logs / "scheduler.log").read_text()
        cluster = Cluster(json.loads(scheduler_file.read_text())["address"], logs)
        cluster.worker("workers", tls_options(folder, "worker"), workers=workers)
        while cluster.workers_seen(course_dir) < workers and time.monotonic() < deadline:
            time.sleep(0.2)
        assert cluster.workers_seen(course_dir) == workers, cluster.log("workers")
        yield cluster
    finally:
        for process in [*(cluster.processes if cluster else []), scheduler]:
            _stop(process)
