"""The set-up files agree with each other and with the README."""
from __future__ import annotations

import re
import tomllib


def project(repo):
    return tomllib.loads((repo / "pyproject.toml").read_text())["project"]


def pins_in_pyproject(repo):
    """Every pin: the dependencies and each extra's (an extra that names the kit's other extras is no pin)."""
    pins = set(project(repo)["dependencies"])
    for extra in project(repo)["optional-dependencies"].values():
        pins.update(pin for pin in extra if not pin.startswith("dlkit["))
    return sorted(pins)


def name(pin):
    return re.split(r"[\[=<>]", pin)[0].lower()


def test_the_dependencies_are_the_students_set_and_the_release_asks_for_the_same(repo):
    """A student's install (and the release's requirements.txt) has no instructor tool: nbgrader's extensions
    would show students the formgrader."""
    from autograde.course.build import STUDENT_REQUIREMENTS

    assert sorted(name(pin) for pin in project(repo)["dependencies"]) == sorted(STUDENT_REQUIREMENTS)


def test_each_extra_holds_the_tools_of_its_use_and_test_holds_them_all(repo):
    extras = project(repo)["optional-dependencies"]
    assert {"nbgrader", "nbconvert", "copydetect"} <= {name(pin) for pin in extras["instructor"]}
    assert {name(pin) for pin in extras["dask"]} == {"dask", "distributed", "cryptography"}
    assert {name(pin) for pin in extras["browser"]} == {"playwright"}
    assert extras["sandbox"] == [pin for pin in extras["instructor"] if name(pin) == "pyseccomp"], \
        "the sandbox extra is the instructor's seccomp binding, at the same version"
    assert "dlkit[instructor,dask,browser]" in extras["test"]
    assert not {name(pin) for pin in project(repo)["dependencies"]} & {
        name(pin) for extra in extras.values() for pin in extra}, "a package is both a student's and an extra's"


def test_make_installs_the_sets_each_target_needs(repo):
    makefile = (repo / "Makefile").read_text()
    assert 'pip install --quiet -e ".[instructor]"' in makefile and 'pip install --quiet -e ".[test]"' in makefile
    assert re.search(r"^demo: \$\(INSTRUCTOR\)", makefile, re.M) and re.search(r"^test: \$\(STAMP\)", makefile, re.M)


#: What conda-forge lacks at the kit's versions: installed by pip in the instructor's environment.yml.
PIP_ONLY = {"latex2mathml", "copydetect", "pyseccomp"}


def environment(repo, name):
    """(conda-forge name -> version, pip's lines, unpinned conda packages) of a conda environment file."""
    import yaml

    loaded = yaml.safe_load((repo / name).read_text())
    assert loaded["channels"] == ["conda-forge"], loaded["channels"]
    conda, pip, unpinned = {}, [], []
    for entry in loaded["dependencies"]:
        if isinstance(entry, dict):
            pip += entry["pip"]
        elif entry.startswith("python="):  # any 3.11.x
            conda["python"] = entry.split("=", 1)[1]
        elif "==" in entry:  # conda's exact match (a single = matches any version it begins)
            package, version = entry.split("==")
            conda[package] = version
        else:
            unpinned.append(entry)
    return conda, pip, unpinned


def as_conda(pins):
    """pyproject pins as conda-forge name -> version."""
    from autograde.course.build import CONDA_FORGE_NAMES

    return {CONDA_FORGE_NAMES.get(pin.split("==")[0], pin.split("==")[0]): pin.split("==")[1] for pin in pins}


def test_the_student_environment_file_is_the_releases_and_pins_the_student_set_from_conda_forge(repo):
    from autograde.course import build

    assert (repo / "environment-student.yml").read_text() == build.conda_environment()
    conda, pip, unpinned = environment(repo, "environment-student.yml")
    assert pip == [] and unpinned == [] and conda == {"python": "3.11", **as_conda(project(repo)["dependencies"])}


def test_the_instructor_environment_file_pins_make_demos_set_and_dask_with_pip_only_for_what_conda_forge_lacks(repo):
    extras = project(repo)["optional-dependencies"]
    wanted = [*project(repo)["dependencies"], *extras["instructor"], *extras["dask"]]
    conda, pip, unpinned = environment(repo, "environment.yml")
    assert unpinned == ["libpq", "pip"], "conda-forge's libpq for psycopg, and pip for what conda-forge lacks"
    assert pip[-1] == "-e ." and {name(pin) for pin in pip[:-1]} == PIP_ONLY
    from_pip = {pin.split("==")[0]: pin.split("==")[1] for pin in pip[:-1]}
    assert {**conda, **from_pip} == {"python": "3.11", **as_conda(wanted)}
    assert not {name(pin) for pin in [*extras["browser"], *extras["test"]]} & {*conda, *from_pip}


def test_every_dependency_is_pinned_exactly(repo):
    for pin in pins_in_pyproject(repo):
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][0-9A-Za-z.]*", pin), pin


def test_readme_starts_with_the_two_commands(repo):
    readme = (repo / "README.md").read_text()
    first_block = readme.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block


def test_ci_runs_the_readme_test_command(repo):
    assert "make test" in (repo / ".ci" / "run").read_text()
