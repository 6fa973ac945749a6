"""The catalogue of bugs, alternatives and real-code patterns (autograde/authoring/catalogue.py, autograde/assignments/*/catalogue/):
well formed, and loud when an entry no longer fits the reference."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from autograde import kit
from autograde.authoring import catalogue
from autograde.student import checks, modules, registry


def test_the_catalogue_holds_enough_bugs_and_alternatives_across_the_assignments():
    bugs, alternatives = catalogue.bugs(), catalogue.alternatives()
    assert len(bugs) >= 40 and len(alternatives) >= 10
    assert {b.assignment for b in bugs} == set(registry.ids())
    assert {a.assignment for a in alternatives} == set(registry.ids())


@pytest.mark.parametrize("assignment_id", registry.ids())
def test_every_bug_names_checks_that_exist_and_says_what_went_wrong(assignment_id):
    names = {c.name for c in checks.load(assignment_id)}
    for bug in catalogue.bugs(assignment_id):
        assert set(bug.caught_by) <= names, f"{bug.label}: unknown checks {set(bug.caught_by) - names}"
        assert bug.description.endswith(".") and "\n" not in bug.description, bug.label
        assert bug.name.isidentifier(), f"{bug.label}: names are short ids in snake_case"


def test_every_bug_edits_the_reference_and_every_edit_applies_once(tmp_path):
    for bug in catalogue.bugs():
        folder = catalogue.submission(bug, tmp_path / bug.assignment / bug.name)
        for edit in bug.edits:
            assert edit.old != edit.new and edit.new in (folder / edit.file).read_text(), bug.label


def test_an_edit_whose_text_is_gone_fails_naming_the_entry_and_the_file(tmp_path):
    bug = catalogue.Bug("deep_mlp", "renamed", "A bug written for older code.",
                        (catalogue.Edit("deep_mlp.py", "return x @ W + b  # gone", "return x @ W"),), ("x",), None)
    with pytest.raises(catalogue.CatalogueError, match=r"deep_mlp/renamed: the text to replace in "
                                                       r"solutions/deep_mlp/deep_mlp.py is not found"):
        catalogue.submission(bug, tmp_path / "submission")


def test_an_ambiguous_edit_fails(tmp_path):
    bug = catalogue.Bug("deep_mlp", "ambiguous", "An edit that matches twice.",
                        (catalogue.Edit("deep_mlp.py", "### BEGIN SOLUTION", ""),), ("x",), None)
    with pytest.raises(catalogue.CatalogueError, match=r"occurs \d+ times \(an edit must be unambiguous\)"):
        catalogue.submission(bug, tmp_path / "submission")


def planted(tmp_path: Path, monkeypatch, name: str) -> Path:
    """Where deep_mlp's catalogue file ``name`` goes when the assignments' folders are ``tmp_path``."""
    monkeypatch.setattr(catalogue, "ASSIGNMENTS", tmp_path)
    (tmp_path / "deep_mlp" / "catalogue").mkdir(parents=True, exist_ok=True)
    return tmp_path / "deep_mlp" / "catalogue" / name


def test_a_malformed_catalogue_file_is_refused(tmp_path, monkeypatch):
    bugs = planted(tmp_path, monkeypatch, "bugs.toml")
    bugs.write_text(
        '[[bug]]\nname = "x"\ndescription = "y."\ncaught_by = ["z"]\n'
        '[[bug.edits]]\nfile = "deep_mlp_training.py"\nold = "a"\nnew = "b"\n')
    with pytest.raises(catalogue.CatalogueError, match="deep_mlp_training.py is not a student file of deep_mlp"):
        catalogue.bugs("deep_mlp")
    bugs.write_text('[[bug]]\nname = "x"\nsummary = "y"\n')
    with pytest.raises(catalogue.CatalogueError, match="missing caught_by, description, edits; unknown keys summary"):
        catalogue.bugs("deep_mlp")


@pytest.mark.parametrize("alternative", catalogue.alternatives(), ids=lambda a: a.label)
def test_every_alternative_says_how_it_differs_and_imports(tmp_path, alternative):
    for name in alternative.files:
        docstring = ast.get_docstring(ast.parse((alternative.folder / name).read_text()))
        assert docstring and len(docstring.strip()) > 40, f"{alternative.label}/{name} needs a module docstring"
    code = modules.student_code(alternative.assignment, catalogue.submission(alternative, tmp_path / "submission"))
    assert not code.import_failures, code.import_failures


@pytest.mark.parametrize("assignment_id", registry.ids())
def test_every_assignment_has_a_catalogued_example_submission_for_the_demo(tmp_path, assignment_id):
    from autograde.authoring import demo

    examples = [bug.name for bug in catalogue.examples(assignment_id)]
    assert examples, f"no bug of {assignment_id} is marked example = true"
    roster = demo.demo_submissions(assignment_id, tmp_path)
    assert {"reference", "starter", *examples} <= set(roster)
    for name in examples:
        files = roster[name]
        assert all(path.is_file() for path in files.values())
        assert any(path.read_text() != (kit.solutions(assignment_id) / relative).read_text()
                   for relative, path in files.items()), f"{name} is the reference"


def test_an_example_flag_that_is_not_a_boolean_is_refused(tmp_path, monkeypatch):
    toml = (catalogue.folder_of("deep_mlp") / "bugs.toml").read_text().replace("example = true", 'example = "yes"', 1)
    planted(tmp_path, monkeypatch, "bugs.toml").write_text(toml)
    with pytest.raises(catalogue.CatalogueError, match="example must be true or false"):
        catalogue.bugs("deep_mlp")


#: The real-code patterns every assignment's catalogue holds (catalogue/patterns.toml), with what they expect.
PATTERN_KINDS = {"top_level_imports": "full marks", "prints_seed_and_main": "full marks",
                 "extra_keyword_parameters": "full marks", "per_example_loops": "full marks or too slow",
                 "python_lists_and_float32": "full marks", "undeclared_package": "did not import",
                 "work_at_import": "did not import", "another_signature": "loses points",
                 "syntax_error": "did not import"}


@pytest.mark.parametrize("assignment_id", registry.ids())
def test_every_assignment_has_the_real_code_patterns_and_each_applies(tmp_path, assignment_id):
    patterns = catalogue.patterns(assignment_id)
    assert {p.name: p.expect for p in patterns} == PATTERN_KINDS
    for pattern in patterns:
        assert pattern.description.endswith(".") and "\n" not in pattern.description, pattern.label
        catalogue.submission(pattern, tmp_path / pattern.name)
    spec = registry.get(assignment_id)
    imports = catalogue.submission(catalogue.pattern(assignment_id, "top_level_imports"), tmp_path / "imports")
    for relative in spec.student_files:  # every student file opens with the offered packages
        text = (imports / relative).read_text()
        assert "import matplotlib.pyplot as plt" in text and "from tqdm import tqdm" in text and "import pickle" in text


def test_a_malformed_pattern_is_refused_naming_it(tmp_path, monkeypatch):
    patterns = planted(tmp_path, monkeypatch, "patterns.toml")
    patterns.write_text('[[pattern]]\nname = "x"\ndescription = "X."\nexpect = "passes"\n'
                                            '[[pattern.edits]]\nfile = "deep_mlp.py"\nprepend = "import os\\n"\n')
    with pytest.raises(catalogue.CatalogueError, match=r"deep_mlp's patterns.toml, pattern 'x': expect must be one of "
                                                       r"full marks, .*got 'passes'"):
        catalogue.patterns("deep_mlp")
    patterns.write_text('[[pattern]]\nname = "x"\ndescription = "X."\nexpect = "loses points"\n'
                                            '[[pattern.edits]]\nfile = "deep_mlp.py"\nprepend = "import os\\n"\n')
    with pytest.raises(catalogue.CatalogueError, match="a pattern expected to lose points needs the message"):
        catalogue.patterns("deep_mlp")
    patterns.write_text('[[pattern]]\nname = "x"\ndescription = "X."\nexpect = "full marks"\n'
                                            '[[pattern.edits]]\nfile = "deep_mlp.py"\nprepend = "a"\nold = "b"\n')
    with pytest.raises(catalogue.CatalogueError, match="an edit needs file with old and new, prepend or append"):
        catalogue.patterns("deep_mlp")
