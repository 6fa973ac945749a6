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
    assert {name(pin) for pin in extras["dask"]} == {"dask", "distributed"}
    assert {name(pin) for pin in extras["browser"]} == {"playwright"}
    assert "dlkit[instructor,dask,browser]" in extras["test"]
    assert not {name(pin) for pin in project(repo)["dependencies"]} & {
        name(pin) for extra in extras.values() for pin in extra}, "a package is both a student's and an extra's"


def test_make_installs_the_sets_each_target_needs(repo):
    makefile = (repo / "Makefile").read_text()
    assert 'pip install --quiet -e ".[instructor]"' in makefile and 'pip install --quiet -e ".[test]"' in makefile
    assert re.search(r"^demo: \$\(INSTRUCTOR\)", makefile, re.M) and re.search(r"^test: \$\(STAMP\)", makefile, re.M)


def pins_in_environment(repo):
    lines = (repo / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    return sorted(
        line.strip()[2:] for line in lines[start + 1:]
        if line.strip().startswith("- ") and "==" in line
    )


def test_environment_yml_and_pyproject_pin_the_same_packages(repo):
    assert pins_in_environment(repo) == pins_in_pyproject(repo)


def test_environment_yml_asks_for_python_3_11(repo):
    assert "- python=3.11" in (repo / "environment.yml").read_text()


def test_every_dependency_is_pinned_exactly(repo):
    for pin in pins_in_pyproject(repo):
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][0-9A-Za-z.]*", pin), pin


def test_readme_starts_with_the_two_commands(repo):
    readme = (repo / "README.md").read_text()
    first_block = readme.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block


def test_ci_runs_the_readme_test_command(repo):
    assert "make test" in (repo / ".ci" / "run").read_text()
