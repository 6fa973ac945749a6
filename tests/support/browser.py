"""Debian's Chromium driven by Playwright, for the tests that look at pages as people see them.

Chromium comes from Debian (``make test`` installs it); the tests never download a browser. Where
Chromium cannot be had, set DLKIT_SKIP_BROWSER_TESTS=1 to skip those tests instead of failing them.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from autograde import kit

CHROMIUM = Path("/usr/bin/chromium")
SKIP_VARIABLE = "DLKIT_SKIP_BROWSER_TESTS"
#: The background-networking flags matter: without them Chromium keeps reaching for the network,
#: which a closed machine (CI's) answers with failures.
CHROMIUM_ARGUMENTS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                      "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: Where the browser tests leave their screenshots, to be looked at.
SCREENSHOTS = kit.REPO / "build" / "screenshots"


def chromium_or_fail() -> Path:
    """Chromium's path; fail (or skip, when asked to) with what to do when Chromium or Playwright is missing."""
    problem = None
    if not CHROMIUM.exists():
        problem = (f"Chromium is not installed at {CHROMIUM}: run `make test`, which installs Debian's chromium "
                   "package when it runs as root, or `apt-get install chromium`")
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "Playwright is not installed: run `make .venv/.installed` (pyproject.toml pins it)"
    if problem and os.environ.get(SKIP_VARIABLE) == "1":
        pytest.skip(f"{problem} ({SKIP_VARIABLE}=1)")
    if problem:
        pytest.fail(f"{problem}; set {SKIP_VARIABLE}=1 to skip the browser test instead")
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def jupyter_server(module: str, root: Path, settings: Path, status: str, options=()):
    """``python -m MODULE`` (jupyter_server, jupyterlab) on 127.0.0.1 serving ``root``, with its settings,
    data and runtime in ``settings``, with a token; yields (URL, token) once ``status`` (a path such as
    /api/status) answers. The server's own process group, the server and what it started, is stopped after."""
    from autograde.course import commands

    port, token = free_port(), secrets.token_hex(16)
    environment = {**commands.environment(), "JUPYTER_CONFIG_DIR": str(settings / "config"),
                   "JUPYTER_DATA_DIR": str(settings / "data"), "JUPYTER_RUNTIME_DIR": str(settings / "runtime")}
    settings.mkdir(parents=True, exist_ok=True)
    log_path = settings / f"{module}.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", module, "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
             "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", "--allow-root",
             f"--ServerApp.root_dir={root}", *options],
            cwd=root, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{status}?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{module} did not start:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}", token
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
