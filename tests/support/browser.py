"""Debian's Chromium driven by Playwright, for the tests that look at pages as people see them.

Chromium comes from Debian (``make test`` installs it); the tests never download a browser. Where
Chromium cannot be had, set DLKIT_SKIP_BROWSER_TESTS=1 to skip those tests instead of failing them.
"""
from __future__ import annotations

import os
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
