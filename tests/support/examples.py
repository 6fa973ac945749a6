"""Catalogued bugs as student files, for tests that need a realistic wrong submission."""
from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from autograde.authoring import catalogue


@functools.cache
def _folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="dlkit-test-bugs-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def bug_file(assignment: str, name: str, relative: str) -> Path:
    """The student file ``relative`` of the catalogued bug ``name`` of ``assignment`` (written once per process)."""
    written = _folder() / assignment / name
    if not written.exists():
        catalogue.submission(catalogue.bug(assignment, name), written)
    return written / relative
