"""The set-up files agree with each other and with the README."""
from __future__ import annotations

import re
import tomllib


def pins_in_pyproject(repo):
    return sorted(tomllib.loads((repo / "pyproject.toml").read_text())["project"]["dependencies"])


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
