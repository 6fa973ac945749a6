"""However the kit is installed, neither sandbox sees a copy of the solutions or of the hidden checks.

An editable install (``make``) leaves them in the checkout, outside both sandboxes. The instructor's
wheel (``DLKIT_WHEEL=instructor``, the one that holds them) installed into a Python's own prefix (as conda
or a system-wide pip does) puts ``solutions/`` and ``autograde/assignments/*/hidden`` into that prefix's
site-packages, and both sandboxes bind the prefix for its standard library. Here that wheel is built and
installed into a Python prefix of its own (the standard library of this Python, linked; the other packages
from this environment), and a class is graded with that installation: a notebook cell and a module that
search the whole filesystem for the kit find nothing, and the honest submission gets the grade it gets from
the editable install.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from autograde.batch import tasks
from autograde.kit import REPO
from autograde.reports import grade_table
from support import wheels
from support.examples import bug_file, solo_score

HONEST = bug_file("softmax_mlp", "gradient_not_averaged", "softmax_classifier.py")
STARTER = REPO / "starter/softmax_mlp/softmax_classifier.py"
#: Names that only the kit's grading side has: a reference solution, the hidden checks, the accuracy bars.
SECRETS = ("solutions", "hidden", "thresholds.json", "grading_secret")

SEARCH = f"""
import os
found = []
for root, folders, files in os.walk("/"):
    folders[:] = [f for f in folders if os.path.join(root, f) not in ("/proc", "/sys", "/dev")]
    found += [os.path.join(root, name) for name in folders + files if name in {SECRETS!r}]
"""
#: The module raises what it found: the message reaches the autograded notebook and the feedback.
MODULE = SEARCH + "raise ImportError('FOUND %s' % found)\n"
CELL = SEARCH + "print('FOUND', found)\n"


def link_tree(source: Path, target: Path, skip=()) -> None:
    """``source`` copied to ``target`` as hard links (a copy where the two are on different filesystems)."""
    def link(src, dst):
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
    shutil.copytree(source, target, symlinks=True, copy_function=link,
                    ignore=lambda folder, names: [n for n in names if Path(folder, n) in skip or n == "__pycache__"])


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A Python prefix with the kit's wheel in its own site-packages; returns its python."""
    root = tmp_path_factory.mktemp("installed")
    # The instructor's wheel (setup.py): a student's holds neither the solutions nor the hidden checks.
    wheel = wheels.build("instructor", wheels.copy_source(root / "source"), root / "wheels")

    # The prefix: this Python's executable and standard library, an empty site-packages.
    prefix = root / "prefix"
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    base_site = Path(sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_prefix})["purelib"])
    link_tree(stdlib, prefix / "lib" / version, skip={base_site, stdlib / "test"})
    (prefix / "bin").mkdir()
    python = prefix / "bin" / version
    shutil.copy2(os.path.realpath(sys._base_executable), python)
    site_packages = prefix / "lib" / version / "site-packages"
    site_packages.mkdir()
    # The other packages (nbgrader, numpy, ...) come from this environment, as a path: its .pth files (the
    # editable install of the kit among them) are not read.
    (site_packages / "environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # --ignore-installed: pip sees this environment's editable install of the kit through the .pth, and must
    # not uninstall it.
    ours = sorted(Path(sysconfig.get_paths()["purelib"]).glob("*dlkit*"))
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--ignore-installed",
                    str(wheel)], check=True, capture_output=True)
    assert sorted(Path(sysconfig.get_paths()["purelib"]).glob("*dlkit*")) == ours
    # The commands the grader runs (alembic, nbgrader), started by this prefix's python.
    for script in Path(sys.executable).parent.iterdir():
        text = script.read_text(errors="replace") if script.is_file() and not script.is_symlink() else ""
        if text.startswith(f"#!{sys.executable}\n") and not (prefix / "bin" / script.name).exists():
            (prefix / "bin" / script.name).write_text(f"#!{python}\n" + text.split("\n", 1)[1])
            (prefix / "bin" / script.name).chmod(0o755)
    # The data in the installed kit's folder (data_scripts.data_dir()), inside site-packages too.
    (site_packages / "data").mkdir()
    for path in (REPO / "data").glob("*.npz"):
        os.link(path, site_packages / "data" / path.name) if path.stat().st_dev == root.stat().st_dev \
            else shutil.copy(path, site_packages / "data")
    where = subprocess.run([str(python), "-c", "import autograde, solutions; print(autograde.__file__, "
                            "solutions.__file__)"], check=True, capture_output=True, text=True, cwd=root).stdout.split()
    assert all(Path(path).is_relative_to(site_packages) for path in where), where
    # The wheel carries the calibrated bars (package data): without them every accuracy check fails.
    bars = subprocess.run([str(python), "-c", "from autograde.grading import calibration; "
                           "print(calibration.bar('softmax_mlp.softmax_accuracy'))"],
                          capture_output=True, text=True, cwd=root)
    assert bars.returncode == 0 and float(bars.stdout) > 0.9, bars.stderr[-2000:]
    return python


@pytest.fixture(scope="module")
def graded(installed, tmp_path_factory, release_copy):
    course_dir = release_copy("softmax_mlp", tmp_path_factory.mktemp("course"))
    incoming = tmp_path_factory.mktemp("incoming")
    released = course_dir / "release/softmax_mlp/softmax.ipynb"
    for student, module, cell in [("honest", HONEST.read_text(), None), ("searches", MODULE, CELL)]:
        (incoming / student).mkdir()
        (incoming / student / "softmax_classifier.py").write_text(module)
        if cell:
            notebook = nbformat.read(released, as_version=4)
            notebook.cells.insert(1, new_code_cell(cell))
            nbformat.write(notebook, incoming / student / "softmax.ipynb")
    environment = wheels.environment_without_the_checkout()
    completed = subprocess.run([str(installed), "-m", "autograde", "autograde", "softmax_mlp", "--course-dir",
                                str(course_dir), "--submissions", str(incoming), "--jobs", "2"],
                               capture_output=True, text=True, env=environment, cwd=course_dir)
    assert completed.returncode == 0, completed.stderr[-3000:]
    _, rows = grade_table.collect(course_dir, "softmax_mlp")
    return course_dir, {row.student: row for row in rows}


def test_the_installed_kit_is_out_of_both_sandboxes_view(graded):
    course_dir, rows = graded
    assert rows["searches"].status == tasks.DID_NOT_IMPORT and rows["searches"].score == 0
    notebook = nbformat.read(course_dir / "autograded/searches/softmax_mlp/softmax.ipynb", as_version=4)
    printed = "\n".join(o.get("text", "") + o.get("evalue", "") + "\n".join(o.get("traceback", []))
                        + str(o.get("data", {})) for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    assert "FOUND [" + "'" not in printed, printed[:3000]
    # The notebook's cell searched in the kernel's sandbox; the module searched in the checks' sandbox.
    assert "FOUND []" in "".join(o.get("text", "") for o in notebook.cells[1].outputs), notebook.cells[1].outputs
    # The module's search is its import failure, said once; every check it kept from running says so.
    assert "FOUND []" in notebook.metadata["dlkit"]["did_not_import"]["softmax_classifier.py"]
    assert "FOUND []" in rows["searches"].error
    checks = [o for c in notebook.cells for o in c.metadata.get("dlkit", {}).get("checks", [])]
    assert checks and all(o["did_not_import"] == ["softmax_classifier.py"] for o in checks), checks[:2]


def test_the_installed_kit_grades_as_the_checkout_does(graded, tmp_path):
    course_dir, rows = graded
    alone = solo_score("softmax_mlp", HONEST, "softmax_classifier.py", course_dir, tmp_path / "honest")
    assert rows["honest"].status == tasks.GRADED and rows["honest"].score == alone > 0
