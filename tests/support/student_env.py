"""A clean student environment: a Python with the student packages only, where the kit is not installed.

A student's machine has numpy, matplotlib and ipywidgets (and what they need), and the released
folder; it has neither the kit nor nbgrader nor solutions/. ``create`` makes such a virtual
environment from the distributions installed here (linked, not downloaded, so it is the same
versions and takes a fraction of a second): ``python -m venv --without-pip``, then every
top-level package of the student packages and of their requirements, recursively, linked into
its site-packages. Nothing else is reachable: no editable install of the kit, no ``.pth`` file.
"""
from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

#: What a student installs to run a released notebook: the release's requirements.txt (JupyterLab aside,
#: which the scripts of the tests do not need).
STUDENT_PACKAGES = ("numpy", "matplotlib", "ipywidgets", "tqdm")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def distributions(roots=STUDENT_PACKAGES) -> dict[str, importlib.metadata.Distribution]:
    """``roots`` and every distribution they require (markers evaluated here, extras left out)."""
    environment = default_environment()
    found: dict[str, importlib.metadata.Distribution] = {}
    waiting = list(roots)
    while waiting:
        name = _canonical(waiting.pop())
        if name in found:
            continue
        found[name] = importlib.metadata.distribution(name)
        for text in found[name].requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({**environment, "extra": ""}):
                waiting.append(requirement.name)
    return found


def top_level_entries(distribution: importlib.metadata.Distribution) -> set[str]:
    """The names a distribution put directly into site-packages (packages, modules, its .dist-info)."""
    entries = set()
    for file in distribution.files or []:
        first = file.parts[0]
        if first != ".." and not first.endswith(".pth") and first != "__pycache__":
            entries.add(first)
    return entries


def create(folder: Path) -> Path:
    """Make the clean environment in ``folder``; return its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    target = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 check=True, capture_output=True, text=True).stdout.strip())
    source = Path(sysconfig.get_paths()["purelib"])
    for distribution in distributions().values():
        for entry in top_level_entries(distribution):
            if (source / entry).exists() and not (target / entry).exists():
                (target / entry).symlink_to(source / entry)
    return python
