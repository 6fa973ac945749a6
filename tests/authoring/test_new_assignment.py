"""Adding an assignment is three folders and nothing shared: ``dlkit new`` in a copy of the kit, then the
starter, the release and the autograding of a class, end to end through nbgrader and the sandbox."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

NAME = "tiny"
#: Every file an instructor writes for the new assignment (the template writes them), and the generated starter.
WRITTEN = {f"solutions/{NAME}/__init__.py", f"solutions/{NAME}/{NAME}.py", f"notebooks/{NAME}/{NAME}.ipynb",
           f"autograde/assignments/{NAME}/__init__.py", f"autograde/assignments/{NAME}/public.py",
           f"autograde/assignments/{NAME}/hidden.py"}
GENERATED = {f"starter/{NAME}/{NAME}.py"}


def files(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file() and "__pycache__" not in path.parts}


@pytest.fixture(scope="module")
def kit_copy(repo, tmp_path_factory, mnist):
    """A copy of the kit (its code, solutions, starter, notebooks, catalogue), and a ``dlkit`` that runs it."""
    from data_scripts import data_dir

    root = tmp_path_factory.mktemp("kit")
    for folder in ("autograde", "solutions", "starter", "notebooks", "data_scripts"):
        shutil.copytree(repo / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    environment = {**os.environ, "PYTHONPATH": str(root), "DLKIT_DATA": str(data_dir().resolve())}

    def dlkit(*arguments) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "autograde", *map(str, arguments)], cwd=root, env=environment,
                              capture_output=True, text=True, timeout=900)

    return root, dlkit


def test_dlkit_new_writes_three_folders_and_edits_nothing_shared(kit_copy):
    root, dlkit = kit_copy
    before = files(root)
    made = dlkit("new", NAME)
    assert made.returncode == 0, made.stderr
    assert dlkit("starter").returncode == 0
    after = files(root)
    changed = {path for path in after if before.get(path) != after[path]} | (set(before) - set(after))
    assert changed == WRITTEN | GENERATED, sorted(changed ^ (WRITTEN | GENERATED))
    listed = {line.split()[-1] for line in made.stdout.splitlines() if line.startswith("wrote ")}
    assert listed == WRITTEN, made.stdout


def test_dlkit_new_refuses_an_existing_assignment_and_a_bad_name(kit_copy):
    _, dlkit = kit_copy
    again = dlkit("new", "softmax_mlp")
    assert again.returncode == 1 and "softmax_mlp exists already" in again.stderr
    bad = dlkit("new", "2-layers")
    assert bad.returncode == 1 and "cannot name an assignment" in bad.stderr


def test_the_new_assignment_releases_and_autogrades_end_to_end(kit_copy, tmp_path):
    root, dlkit = kit_copy
    if not (root / "autograde" / "assignments" / NAME).exists():
        assert dlkit("new", NAME).returncode == 0 and dlkit("starter").returncode == 0
    course = tmp_path / "course"
    released = dlkit("release", NAME, "--course-dir", course)
    assert released.returncode == 0, released.stderr
    release = course / "release" / NAME
    shipped = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()}
    assert {f"{NAME}.py", f"{NAME}.ipynb", f"autograde/assignments/{NAME}/public.py"} <= shipped
    assert not [p for p in shipped if "hidden" in p or "solutions" in p]
    cell = next(c for c in nbformat.read(release / f"{NAME}.ipynb", as_version=4).cells
                if c.metadata.get("nbgrader", {}).get("grade"))
    assert cell.metadata.nbgrader["points"] == 2  # one public and one hidden check of one point each

    submissions = tmp_path / "submissions"
    for student, text in [("correct", (root / "solutions" / NAME / f"{NAME}.py").read_text()),
                          ("adds", (root / "solutions" / NAME / f"{NAME}.py").read_text().replace(
                              "np.float64) * factor", "np.float64) + factor")),
                          ("untouched", (root / "starter" / NAME / f"{NAME}.py").read_text())]:
        (submissions / student).mkdir(parents=True)
        (submissions / student / f"{NAME}.py").write_text(text)
    graded = dlkit("autograde", NAME, "--course-dir", course, "--submissions", submissions, "--jobs", "2")
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert "3 graded" in graded.stdout, graded.stdout
    table = dlkit("grades", NAME, "--course-dir", course)
    rows = {line.split()[0]: line.split()[1] for line in table.stdout.splitlines()
            if line.split() and line.split()[0] in ("correct", "adds", "untouched")}
    assert rows == {"correct": "2/2", "adds": "0/2", "untouched": "0/2"}, table.stdout
    assert "not x plus factor" in table.stdout or "scale_multiplies_every_entry_by_the_factor" in table.stdout
