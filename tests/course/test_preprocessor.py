"""How trusted results become nbgrader grades, and the guard against grades without them."""
from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader import utils

from autograde import cli
from autograde.course import commands
from autograde.course.preprocessor import cell_outputs
from autograde.student.outcome import CheckOutcome


def outcome(fraction, points=1.0, hidden=False, hint=None):
    return CheckOutcome("g.c", "g", "c", "It works.", points, hidden, fraction, "it does not" if fraction < 1 else "It works.", hint)


def grade_cell(outputs, points=3):
    cell = new_code_cell("check_group('g')", metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "grade_id": "g", "points": points, "schema_version": 3}})
    cell.outputs = outputs
    return cell


@pytest.mark.parametrize("fractions, expected", [([1, 1, 1], 3.0), ([1, 0, 0.5], 1.5), ([0, 0, 0], 0.0)])
def test_nbgrader_scores_the_cell_from_the_trusted_outcomes(fractions, expected):
    outputs = cell_outputs([outcome(f, hint="Average over the batch.") for f in fractions], 3)
    score, max_score = utils.determine_grade(grade_cell(outputs))
    assert (score, max_score) == (expected, 3.0)
    text = "".join(o.get("text", "") + "".join(o.get("traceback", [])) for o in outputs)
    assert "Score from the autograder" in text
    assert ("Hint: Average over the batch." in text) == (expected < 3)


def test_grades_without_trusted_results_are_refused(tmp_path):
    folder = tmp_path / "autograded" / "ann" / "hw"
    folder.mkdir(parents=True)
    trusted = grade_cell([])
    trusted.metadata["dlkit"] = {"checks": []}
    nbformat.write(new_notebook(cells=[trusted]), folder / "a.ipynb")
    nbformat.write(new_notebook(cells=[grade_cell([])]), folder / "b.ipynb")
    assert commands.untrusted_notebooks(tmp_path, "hw") == [folder / "b.ipynb"]


def test_every_command_explains_itself(capsys):
    for command in ["new", "starter", "release", "autograde", "grades", "report", "similarity", "gradescope", "feedback",
                    "calibrate", "selftest",
                    "demo"]:
        with pytest.raises(SystemExit) as exit_code:
            cli.main([command, "--help"])
        assert exit_code.value.code == 0
        assert len(capsys.readouterr().out.splitlines()) > 3
