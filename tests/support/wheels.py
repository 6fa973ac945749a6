"""The kit's wheels, built from a copy of the checkout (a build writes build/ and *.egg-info beside its
source, and two tests may build at once)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from autograde.kit import REPO

#: What a build of the kit reads.
SOURCES = ("pyproject.toml", "setup.py", "README.md", "autograde", "data_scripts", "solutions")


def copy_source(folder: Path) -> Path:
    """A copy of what a build of the kit reads, in ``folder``."""
    folder.mkdir(parents=True)
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(REPO / name, folder / name)
    return folder


def build(kind: str, source: Path, output: Path) -> Path:
    """Build the ``kind`` wheel (setup.py: student or instructor) of ``source`` in ``output``; return its path."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(output), str(source)],
                   check=True, capture_output=True, env={**os.environ, "DLKIT_WHEEL": kind})
    [wheel] = output.glob("dlkit-*.whl")
    return wheel


def listing(wheel: Path) -> list[str]:
    """The files of ``wheel``, its metadata (``*.dist-info/``) left out."""
    with zipfile.ZipFile(wheel) as archive:
        return sorted(name for name in archive.namelist() if ".dist-info/" not in name)


def install(python: Path, *arguments: str) -> None:
    """``pip install --no-deps *arguments`` into the environment of ``python``, with this environment's pip (the
    environments of the tests are made without one)."""
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    *arguments], check=True, capture_output=True)


def environment_without_the_checkout() -> dict[str, str]:
    """This process's environment variables, less those that point into the kit's checkout (DLKIT_*, PYTHONPATH):
    what an installed kit runs with."""
    return {name: value for name, value in os.environ.items() if not name.startswith("DLKIT_") and name != "PYTHONPATH"}
