"""starter/ is generated from solutions/: stubs replace solution blocks, bad markers are rejected."""
from __future__ import annotations

import pytest

from autograde.authoring import starter

SOLUTION = '''def f(x):
    """Doc."""
    ### BEGIN SOLUTION
    # canary-7f3a: solution code must never reach a student
    y = x + 1
    ### END SOLUTION
    return y
'''


def test_solution_block_becomes_an_indented_stub():
    text = starter.strip_solutions(SOLUTION, "solutions/a.py")
    assert text == ('def f(x):\n    """Doc."""\n    # YOUR CODE HERE\n    raise NotImplementedError()\n    return y\n')
    assert "canary-7f3a" not in text


@pytest.mark.parametrize("text, line, problem", [
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", 2, "inside the block opened at line 1"),
    ("x = 1\n    ### BEGIN SOLUTION\ny = 2\n", 2, "never closed"),
    ("x = 1\n### END SOLUTION\n", 2, "without a ### BEGIN SOLUTION"),
])
def test_bad_markers_are_rejected_with_file_and_line(text, line, problem):
    with pytest.raises(starter.MarkerError, match=rf"^solutions/x.py:{line}: .*{problem}"):
        starter.strip_solutions(text, "solutions/x.py")


def test_a_student_file_opens_with_what_to_do_and_a_provided_file_with_that_it_is_complete(repo):
    """The starter is the student's file: its first line says what to do there, and never "do not edit"."""
    planned = {g.target.relative_to(repo / "starter").as_posix(): g.text for g in
               starter.plan(repo / "solutions", repo / "starter")}
    first = {relative: text.splitlines()[0] for relative, text in planned.items()}
    assert first["softmax_mlp/softmax_classifier.py"] == (
        "# Implement the parts marked YOUR CODE HERE. (Generated from solutions/softmax_mlp/softmax_classifier.py by "
        "`dlkit starter`.)")
    assert first["linear_cifar10/functions.py"].startswith("# Given complete: you need not change it, and the grader "
                                                           "uses the released copy.")
    for relative, line in first.items():
        assert "do not edit" not in line.lower() and f"solutions/{relative}" in line, line
        assert ("YOUR CODE HERE" in line) == ("# YOUR CODE HERE" in planned[relative].split("\n", 1)[1]), relative


def test_committed_starter_is_up_to_date(repo):
    problems = starter.stale(repo / "solutions", repo / "starter")
    assert not problems, "starter/ is stale; run `make starter`:\n" + "\n".join(problems)


def test_stale_starter_is_detected(tmp_path):
    solutions, generated = tmp_path / "solutions", tmp_path / "starter"
    (solutions / "hw").mkdir(parents=True)
    (solutions / "hw" / "a.py").write_text(SOLUTION)
    starter.write(solutions, generated)
    assert starter.stale(solutions, generated) == []
    (solutions / "hw" / "a.py").write_text(SOLUTION.replace("Doc.", "Docs."))
    (generated / "hw" / "orphan.py").write_text("")
    problems = starter.stale(solutions, generated)
    assert any("a.py is out of date" in p for p in problems)
    assert any("orphan.py has no source" in p for p in problems)


def test_cli_check_fails_on_a_marker_error(tmp_path, monkeypatch, capsys):
    from autograde import cli, kit

    (tmp_path / "solutions" / "hw").mkdir(parents=True)
    (tmp_path / "solutions" / "hw" / "a.py").write_text("### BEGIN SOLUTION\n")
    monkeypatch.setattr(kit, "SOLUTIONS", tmp_path / "solutions")
    monkeypatch.setattr(kit, "STARTER", tmp_path / "starter")
    assert cli.main(["starter"]) == 1
    assert "solutions/hw/a.py:1" in capsys.readouterr().err
