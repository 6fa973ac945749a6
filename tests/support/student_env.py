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
    """``roots`` and every distribution they require (markers evaluated here), following the extras a
    requirement asks for (nbconvert's ``bleach[css]`` brings tinycss2)."""
    environment = default_environment()
    found: dict[str, importlib.metadata.Distribution] = {}
    extras_seen: dict[str, set[str]] = {}
    waiting = [(name, frozenset()) for name in roots]
    while waiting:
        text, extras = waiting.pop()
        name = _canonical(text)
        if name in found and extras <= extras_seen[name]:
            continue
        found.setdefault(name, importlib.metadata.distribution(name))
        extras_seen[name] = extras_seen.get(name, set()) | set(extras)
        for line in found[name].requires or []:
            requirement = Requirement(line)
            wanted = any(requirement.marker is None or requirement.marker.evaluate({**environment, "extra": extra})
                         for extra in {"", *extras})
            if wanted:
                waiting.append((requirement.name, frozenset(requirement.extras)))
    return found


def top_level_entries(distribution: importlib.metadata.Distribution) -> set[str]:
    """The names a distribution put directly into site-packages (packages, modules, its .dist-info)."""
    entries = set()
    for file in distribution.files or []:
        first = file.parts[0]
        if first != ".." and not first.endswith(".pth") and first != "__pycache__":
            entries.add(first)
    return entries


def create(folder: Path, roots=STUDENT_PACKAGES) -> Path:
    """Make the clean environment in ``folder`` (``roots`` and what they require); return its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    target = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 check=True, capture_output=True, text=True).stdout.strip())
    source = Path(sysconfig.get_paths()["purelib"])
    for distribution in distributions(roots).values():
        for entry in top_level_entries(distribution):
            if (source / entry).exists() and not (target / entry).exists():
                (target / entry).symlink_to(source / entry)
    return python


def readable_copy(folder: Path, roots) -> Path:
    """``roots`` and what they require, from the distributions installed here, in ``folder``: a plain
    site-packages that another Unix account can read when the kit's own cannot be reached (a checkout
    under a private folder). Files are hard-linked where the filesystem allows, else copied."""
    import os
    import shutil

    source = Path(sysconfig.get_paths()["purelib"])
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)

    def link(origin, target):
        try:
            os.link(origin, target)
        except OSError:  # another filesystem
            shutil.copy2(origin, target)

    for distribution in distributions(roots).values():
        for entry in top_level_entries(distribution):
            origin, target = source / entry, folder / entry
            if target.exists() or not origin.exists():
                continue
            if origin.is_dir():
                shutil.copytree(origin, target, copy_function=link)
            else:
                link(origin, target)
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)
    return folder
