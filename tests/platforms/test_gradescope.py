"""`dlkit gradescope ASSIGNMENT`: an autograder zip in Gradescope's layout whose run_autograder grades with the
trusted checks in the sandbox and writes results.json in Gradescope's documented format. run_autograder runs
here against a copy of Gradescope's folders (/autograder/source, submission, results) in a temporary root,
with the kit as the zip carries it."""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile

import pytest

from autograde.kit import REPO
from autograde.platforms import gradescope
from autograde.student import registry
from data_scripts import data_dir
from support.examples import bug_file

ASSIGNMENT = "logistic_regression"
FILES = registry.get(ASSIGNMENT).student_files

#: Gradescope's results.json (gradescope-autograders.readthedocs.io, "Autograder Specifications").
TOP_LEVEL = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
             "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags",
             "visibility", "extra_data"}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def conforms(results: dict) -> None:
    """Fail unless ``results`` follows Gradescope's format."""
    assert set(results) <= TOP_LEVEL, set(results) - TOP_LEVEL
    assert isinstance(results["score"], (int, float)) and isinstance(results["tests"], list)
    for key in ("visibility", "stdout_visibility"):
        assert results.get(key, "visible") in VISIBILITY
    for test in results["tests"]:
        assert set(test) <= TEST_KEYS, set(test) - TEST_KEYS
        assert isinstance(test["name"], str) and isinstance(test["output"], str) and isinstance(test["number"], str)
        assert 0 <= test["score"] <= test["max_score"] and test["status"] in ("passed", "failed")
        assert test["visibility"] in VISIBILITY and isinstance(test["tags"], list)


@pytest.fixture(scope="module")
def autograder(tmp_path_factory, mnist):
    """The zip, unpacked as Gradescope does: source/ holds it, run_autograder is copied beside it."""
    zip_path = gradescope.build(ASSIGNMENT, tmp_path_factory.mktemp("zip") / "autograder.zip")
    root = tmp_path_factory.mktemp("gradescope") / "autograder"
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
        for info in archive.infolist():  # zipfile does not restore permissions
            (root / "source" / info.filename).chmod((info.external_attr >> 16) & 0o777 or 0o644)
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    return zip_path, root


def run_autograder(root, files: dict[str, bytes]) -> dict:
    shutil.rmtree(root / "submission", ignore_errors=True)
    shutil.rmtree(root / "results", ignore_errors=True)
    for name, content in files.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / name).write_bytes(content)
    (root / "submission").mkdir(exist_ok=True)
    environment = {**os.environ, "AUTOGRADER_ROOT": str(root), "DLKIT_PYTHON": sys.executable,
                   "DLKIT_DATA": str(data_dir()), "PYTHONPATH": str(root / "source" / "kit")}
    ran = subprocess.run([str(root / "run_autograder")], env=environment, capture_output=True, text=True,
                         timeout=600, cwd=root)
    assert ran.returncode == 0, ran.stderr[-3000:]
    return json.loads((root / "results" / "results.json").read_text())


def test_the_zip_has_gradescope_s_layout_and_only_this_assignment_s_reference(autograder):
    zip_path, root = autograder
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert {"setup.sh", "run_autograder", "grading_secret"} <= set(names)
    assert all(modes[name] & stat.S_IXUSR for name in ("setup.sh", "run_autograder"))
    solutions = {name.split("/")[2] for name in names if name.startswith("kit/solutions/")}
    assert solutions == {ASSIGNMENT}, "another assignment's reference travels with this one"
    assert not [name for name in names if "__pycache__" in name or name.startswith("kit/tests/")]
    setup = (root / "source" / "setup.sh").read_text()
    assert "python -m data_scripts mnist" in setup
    # The sandbox's seccomp filter: libseccomp from the system, its binding from the kit's sandbox extra.
    assert "libseccomp2" in setup and 'install --quiet -e "/autograder/source/kit[sandbox]"' in setup
    assert subprocess.run(["bash", "-n", str(root / "source" / "setup.sh")]).returncode == 0


def test_the_kit_in_the_zip_installs_as_setup_sh_installs_it_with_this_assignments_secrets(autograder, tmp_path):
    """setup.sh's `pip install -e /autograder/source/kit`, into an environment of the student packages: the
    reference and the hidden checks of the assignment import from the zip's kit."""
    from support import student_env, wheels

    _, root = autograder
    python = student_env.create(tmp_path / "venv")
    wheels.install(python, "-e", str(root / "source" / "kit"))
    script = (f"import importlib.metadata, solutions.{ASSIGNMENT}, autograde.assignments.{ASSIGNMENT}.hidden as h; "
              "print(importlib.metadata.version('dlkit'), h.__file__)")
    ran = subprocess.run([str(python), "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr[-2000:]
    version, hidden = ran.stdout.split()
    assert hidden.startswith(str(root / "source" / "kit"))
    assert version == re.search(r'^VERSION = "(.+)"$', (REPO / "setup.py").read_text(), re.M)[1]  # setup.py ran


def test_a_submission_is_graded_check_by_check_with_hidden_checks_shown_when_published(autograder):
    _, root = autograder
    bug = {f"hw4/{name}": bug_file(ASSIGNMENT, "decay_missing_from_gradient", name).read_bytes() for name in FILES}
    results = run_autograder(root, bug)
    conforms(results)
    tests = results["tests"]
    assert results["score"] == sum(t["score"] for t in tests) == 12 and sum(t["max_score"] for t in tests) == 14
    failed = [t for t in tests if t["status"] == "failed"]
    public = [t for t in failed if not t["name"].endswith("(hidden)")]
    assert len(failed) == 2 and len(public) == 1, [t["name"] for t in failed]
    assert "dW is wrong at" in public[0]["output"] and "Hint: dW lacks the decay term" in public[0]["output"]
    hidden = [t for t in tests if t["name"].endswith("(hidden)")]
    assert hidden and all(t["visibility"] == "after_published" for t in hidden)
    assert all(t["visibility"] == "visible" for t in tests if t not in hidden)
    assert "graded the files in submission/hw4/" in results["output"]


def test_a_submission_without_the_assignment_s_files_gets_a_sentence_and_no_score(autograder):
    _, root = autograder
    results = run_autograder(root, {"notes.txt": b"I ran out of time\n"})
    conforms(results)
    assert results["score"] == 0 and results["tests"] == []
    assert "none of the assignment's files" in results["output"] and "notes.txt" in results["output"]
