"""What a wheel of the kit holds is chosen, not inherited from the checkout.

Every wheel holds the student side (autograde.student, the assignments' public checks and panels), the
grading engine and the data scripts. The reference solutions (``solutions/``), the hidden checks
(``autograde/assignments/*/hidden``) and the correct alternatives of the assignments' catalogues
(``autograde/assignments/*/catalogue``) go in only when the build asks for them:

    DLKIT_WHEEL=instructor pip wheel --no-deps .     # dlkit-<version>+instructor-py3-none-any.whl

which is what a machine that grades without a checkout needs (a grading server, a Dask worker). That
wheel's version carries the local label ``+instructor``, so that its file name says what it holds. An sdist
follows the same rule. An editable install (``pip install -e``, what ``make`` does) copies nothing: it points
into the checkout, which holds everything anyway. ``tests/end_to_end/test_wheel.py`` builds them and lists them.

pyproject.toml declares everything else; this file only filters the modules and labels the version.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

VERSION = "0.1.0"
#: The values DLKIT_WHEEL may take; "student" is the default.
KINDS = ("student", "instructor")
KIND = os.environ.get("DLKIT_WHEEL", "").strip().lower() or "student"
if KIND not in KINDS:
    raise SystemExit(f"DLKIT_WHEEL={os.environ['DLKIT_WHEEL']!r} is not a kind of wheel: use one of {', '.join(KINDS)}")


def instructor_only(package: str, module: str) -> bool:
    """A reference solution, a hidden check (a ``hidden`` module or package of an assignment) or an assignment's
    catalogue of bugs and correct alternatives (``catalogue/``)."""
    parts = package.split(".")
    return parts[0] == "solutions" or (parts[:2] == ["autograde", "assignments"]
                                       and bool({"hidden", "catalogue"} & {*parts[3:], module}))


def instructor_only_path(path: str) -> bool:
    """``instructor_only`` for a file's path in the source tree (what an sdist lists)."""
    parts = Path(path).with_suffix("").parts
    return bool(parts) and instructor_only(".".join(parts[:-1]), parts[-1])


class BuildPy(build_py):
    """build_py without the instructor's modules, unless the build asked for them or is editable (an
    editable install, strict or not, points into the checkout: the checkout is the instructor's).

    It starts from an empty build/lib and no bdist folder: setuptools keeps both between builds and the wheel
    takes all of them, so an instructor's build would otherwise leave its solutions in the next student wheel.
    """

    def run(self):
        if not self.editable_mode:
            shutil.rmtree(self.build_lib, ignore_errors=True)
            for folder in Path(self.build_lib).parent.glob("bdist.*"):
                shutil.rmtree(folder, ignore_errors=True)
        super().run()

    def find_package_modules(self, package, package_dir):
        modules = super().find_package_modules(package, package_dir)
        if KIND == "instructor" or self.editable_mode:
            return modules
        return [(owner, module, path) for owner, module, path in modules if not instructor_only(owner, module)]


class SDist(sdist):
    """An sdist of the student's kind leaves the instructor's files out too. setuptools lists an sdist's files
    from the previous build's SOURCES.txt as well, where an instructor's build or an editable install put them."""

    def make_release_tree(self, base_dir, files):
        if KIND != "instructor":
            files = [path for path in files if not instructor_only_path(path)]
        super().make_release_tree(base_dir, files)


setup(version=VERSION if KIND == "student" else f"{VERSION}+{KIND}", cmdclass={"build_py": BuildPy, "sdist": SDist})
