"""The student side, the grading core and the sandbox are typed: mypy, strict on those packages, finds nothing.

mypy runs in this process (``mypy.api``: it starts no process, so the test is in the one-minute tier) with
the project's configuration (pyproject.toml's ``[tool.mypy]``) and a cache of its own under the test's
temporary folder, so a fresh clone checks the same as a working copy. The rest of autograde is read for
its types only (``follow_imports = "silent"``): its own errors are not this test's.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

from mypy import api

REPO = Path(__file__).resolve().parent.parent
#: The packages held to ``strict``.
STRICT = ("autograde/student", "autograde/grading", "autograde/sandbox")


def test_the_typed_packages_are_held_to_strict():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["mypy"]
    strict = [set(override["module"]) for override in config.get("overrides", []) if override.get("strict")]
    wanted = {folder.replace("/", ".") + ".*" for folder in STRICT}
    assert any(wanted <= modules for modules in strict), f"no override makes {sorted(wanted)} strict"
    assert not any("disable_error_code" in override and set(override["module"]) & wanted
                   for override in config.get("overrides", [])), "an error code is switched off for a strict package"


def test_mypy_finds_no_error(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)  # the configuration's paths (stubs/) are the repository's
    report, errors, status = api.run(["--config-file", str(REPO / "pyproject.toml"),
                                      "--cache-dir", str(tmp_path / "mypy-cache"), *STRICT])
    assert status == 0, f"mypy (strict on {', '.join(STRICT)}) failed:\n{report}{errors}"
