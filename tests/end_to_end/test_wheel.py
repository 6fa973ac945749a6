"""What a wheel of the kit holds is deliberate (setup.py).

A student's wheel (``pip install .``, ``pip wheel .``) holds the student side, the grading engine and the
data scripts, and neither the reference solutions nor the hidden checks. The instructor's wheel, built
only when the build asks for it (``DLKIT_WHEEL=instructor``), holds exactly those on top, and says so in
its version. Where an install lacks what a command needs, ``dlkit`` says what to install in one line.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import student_env, wheels

from autograde.kit import REPO


def checkout_files(*folders) -> list[str]:
    """The kit's files under ``folders`` that a wheel may take: sources and the package data."""
    return sorted(path.relative_to(REPO).as_posix() for folder in folders for path in (REPO / folder).rglob("*")
                  if path.is_file() and "__pycache__" not in path.parts
                  and (path.suffix == ".py" or path.name == "thresholds.json"))


def is_secret(name: str) -> bool:
    parts = name.split("/")
    return parts[0] == "solutions" or (parts[:2] == ["autograde", "assignments"]
                                       and ("hidden" in parts or "catalogue" in parts or parts[-1] == "hidden.py"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Both wheels, from the same copy of the checkout: the instructor's first, so that a student's wheel built
    after it shows whether the instructor's files stay behind in setuptools' build/lib."""
    root = tmp_path_factory.mktemp("wheels")
    source = wheels.copy_source(root / "source")
    return {kind: wheels.build(kind, source, root / kind) for kind in ("instructor", "student")}


@pytest.mark.heavy
def test_the_students_wheel_holds_the_student_side_the_engine_and_the_data_scripts_and_no_secret(built):
    listed = wheels.listing(built["student"])
    print("\n".join(["the student's wheel:", *listed]))
    assert built["student"].name == "dlkit-0.1.0-py3-none-any.whl"
    assert listed == [name for name in checkout_files("autograde", "data_scripts") if not is_secret(name)]
    assert not [name for name in listed if is_secret(name)]
    for needed in ("autograde/student/notebook.py", "autograde/assignments/softmax_mlp/public/softmax.py",
                   "autograde/grading/runner.py", "autograde/grading/thresholds.json", "autograde/sandbox/process.py",
                   "data_scripts/mnist.py"):
        assert needed in listed


@pytest.mark.heavy
def test_the_instructors_wheel_adds_exactly_the_solutions_and_the_hidden_checks(built):
    student, instructor = (set(wheels.listing(built[kind])) for kind in ("student", "instructor"))
    assert built["instructor"].name == "dlkit-0.1.0+instructor-py3-none-any.whl"
    added = sorted(instructor - student)
    assert student <= instructor
    assert added == [name for name in checkout_files("autograde", "solutions") if is_secret(name)]
    assert "solutions/softmax_mlp/softmax_classifier.py" in added
    assert "autograde/assignments/softmax_mlp/hidden/softmax.py" in added
    assert "autograde/assignments/deep_mlp/hidden.py" in added


@pytest.mark.heavy
def test_a_students_sdist_leaves_them_out_too_though_the_previous_build_listed_them(built, tmp_path):
    """setuptools lists an sdist's files from the SOURCES.txt the instructor's build just wrote as well."""
    import tarfile

    source = built["instructor"].parent.parent / "source"
    assert "solutions/softmax_mlp/softmax_classifier.py" in (source / "dlkit.egg-info/SOURCES.txt").read_text()
    script = f"from setuptools import build_meta; print(build_meta.build_sdist({str(tmp_path)!r}))"
    ran = subprocess.run([sys.executable, "-c", script], cwd=source, capture_output=True, text=True,
                         env={**os.environ, "DLKIT_WHEEL": "student"})
    assert ran.returncode == 0, ran.stderr[-3000:]
    with tarfile.open(tmp_path / ran.stdout.split()[-1]) as archive:
        names = [name.split("/", 1)[1] for name in archive.getnames() if "/" in name]
    assert "autograde/grading/runner.py" in names and "setup.py" in names
    assert not [name for name in names if is_secret(name)]


@pytest.mark.heavy
def test_an_editable_install_strict_or_not_reaches_the_checkouts_solutions_and_hidden_checks(tmp_path):
    """An editable install points into the checkout (the instructor's): setuptools' strict mode maps only the
    modules the build listed, and the build lists them all."""
    source = wheels.copy_source(tmp_path / "source")
    python = student_env.create(tmp_path / "venv")
    wheels.install(python, "--config-settings", "editable_mode=strict", "-e", str(source))
    script = ("import solutions.deep_mlp, autograde.assignments.softmax_mlp.hidden.softmax as h, autograde.kit as k; "
              "print(k.missing('grading', ['deep_mlp', 'softmax_mlp']), h.__file__)")
    ran = subprocess.run([str(python), "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert ran.stdout.startswith("[] ") and "softmax.py" in ran.stdout, ran.stdout


@pytest.mark.heavy
def test_a_kind_of_wheel_that_does_not_exist_is_refused():
    ran = subprocess.run([sys.executable, "setup.py", "--version"], cwd=REPO, capture_output=True, text=True,
                         env={**os.environ, "DLKIT_WHEEL": "teacher"})
    assert ran.returncode != 0 and "DLKIT_WHEEL='teacher' is not a kind of wheel: use one of student, instructor" \
        in ran.stderr, ran.stderr


def one_line_error(python: Path, *arguments: str, cwd: Path) -> str:
    ran = subprocess.run([str(python.parent / "dlkit"), *arguments], capture_output=True, text=True, cwd=cwd,
                         env=wheels.environment_without_the_checkout())
    assert ran.returncode == 1 and ran.stdout == "" and "Traceback" not in ran.stderr, ran.stderr[-3000:]
    assert ran.stderr.startswith("error: ") and ran.stderr.count("\n") == 1, ran.stderr
    return ran.stderr


@pytest.mark.heavy
def test_a_students_install_has_no_instructor_tool_and_dlkit_says_what_to_install(built, tmp_path):
    python = student_env.create(tmp_path / "venv")
    wheels.install(python, "--no-index", str(built["student"]))
    error = one_line_error(python, "autograde", "softmax_mlp", cwd=tmp_path)
    assert "need nbgrader" in error and "pip install -e '.[instructor]'" in error
    ran = subprocess.run([str(python), "-c", "import autograde.student.notebook, data_scripts, importlib.util as u; "
                          "print([m for m in ('solutions', 'nbgrader', 'autograde.assignments.deep_mlp.hidden') "
                          "if u.find_spec(m)])"], capture_output=True, text=True, cwd=tmp_path)
    assert ran.returncode == 0 and ran.stdout.strip() == "[]", ran.stderr[-2000:]


@pytest.mark.heavy
def test_grading_with_a_students_wheel_is_refused_before_anything_runs(built, tmp_path):
    """With the instructor's tools but a student's wheel, grading would leave the hidden checks out: refused."""
    python = student_env.create(tmp_path / "venv", (*student_env.STUDENT_PACKAGES, "nbgrader", "copydetect",
                                                    "latex2mathml"))
    wheels.install(python, "--no-index", str(built["student"]))
    error = one_line_error(python, "autograde", "softmax_mlp", "--course-dir", str(tmp_path / "course"), cwd=tmp_path)
    assert "needs the reference solutions and the hidden checks" in error
    assert "(solutions, autograde/assignments/softmax_mlp/hidden)" in error and "DLKIT_WHEEL=instructor" in error
    error = one_line_error(python, "release", "deep_mlp", cwd=tmp_path)
    assert "works on the kit's checkout" in error and "notebooks" in error
    error = one_line_error(python, "grades", "softmax_mlp", cwd=tmp_path)  # it would read site-packages/build/course
    assert error.startswith("error: pass --course-dir: the default course folder is build/course in the kit's checkout")
    assert not (tmp_path / "course").exists()


def test_grading_where_the_solutions_or_the_hidden_checks_are_missing_raises_before_a_check_runs(monkeypatch,
                                                                                                   tmp_path):
    """The coordinator refuses (a UsageError, one line from dlkit), and so does each grading (a Dask worker with
    a student's wheel): grading on without them would leave the hidden checks out of every score."""
    from autograde import kit
    from autograde.batch import coordinator
    from autograde.errors import UsageError
    from autograde.grading import runner

    assert kit.missing("grading", ["deep_mlp", "softmax_mlp"]) == []
    # An installation whose solutions/ is there, without deep_mlp's hidden checks:
    shutil.copytree(kit.ASSIGNMENTS, tmp_path / "autograde/assignments", ignore=shutil.ignore_patterns("hidden.py"))
    (tmp_path / "solutions").mkdir()
    relative = {name: getattr(kit, name).relative_to(kit.REPO) for name in ("REPO", "ASSIGNMENTS", "SOLUTIONS")}
    for name, path in relative.items():
        monkeypatch.setattr(kit, name, tmp_path / path)
    assert kit.missing("grading", ["softmax_mlp"]) == ["solutions/softmax_mlp"]
    assert kit.missing("grading", ["deep_mlp"]) == ["autograde/assignments/deep_mlp/hidden", "solutions/deep_mlp"]
    # Files that are there but that this Python does not import from there (a strict editable install that left
    # them out) count as missing too.
    (tmp_path / "solutions/tiny").mkdir()
    (tmp_path / "autograde/assignments/tiny").mkdir()
    (tmp_path / "autograde/assignments/tiny/hidden.py").touch()
    assert kit.missing("grading", ["tiny"]) == ["autograde.assignments.tiny.hidden (not importable)",
                                                "solutions.tiny (not importable)"]
    with pytest.raises(RuntimeError, match="grading deep_mlp needs the reference solutions and the hidden checks"):
        runner.run_files("deep_mlp", {}, {})
    with pytest.raises(UsageError, match=r"\(autograde/assignments/deep_mlp/hidden, solutions/deep_mlp\)"):
        coordinator.grade_class(tmp_path / "course", "deep_mlp", progress=False)
    assert not (tmp_path / "course").exists()
    # A Dask worker with such an installation (here a thread of this process) is refused before any task is sent.
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster, Client(cluster) as client:
        (tmp_path / "solutions/softmax_mlp").mkdir()  # now the copy holds softmax_mlp's solutions and hidden checks
        coordinator.require_on_workers(client, "softmax_mlp")
        with pytest.raises(UsageError, match=r"^1 of the 1 Dask workers cannot grade deep_mlp; worker .*: grading "
                                             r"deep_mlp needs the reference solutions and the hidden checks"):
            coordinator.require_on_workers(client, "deep_mlp")
