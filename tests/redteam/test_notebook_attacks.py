"""Attacks on the notebook itself, graded through nbgrader autograde with the trusted checks.

Plain nbgrader scores a grade cell from what ran in the student's kernel, so patching the
checks, hiding errors or faking outputs would earn points. Here each of those notebooks is
graded in one parallel batch (`dlkit autograde`) with honest submissions: the attackers earn
nothing, the honest submissions get exactly the per-cell scores they get when graded alone.
"""
from __future__ import annotations

import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_output

from autograde.batch import coordinator
from autograde.batch import tasks
from autograde.course import submissions
from autograde.grading import runner
from autograde.reports import grade_table
from autograde.kit import REPO
from support.examples import bug_file

STARTER = REPO / "starter/softmax_mlp/softmax_classifier.py"
HONEST = {"reference": REPO / "solutions/softmax_mlp/softmax_classifier.py",
          "gradient_not_averaged": bug_file("softmax_mlp", "gradient_not_averaged", "softmax_classifier.py")}


def is_grade(cell) -> bool:
    return cell.metadata.get("nbgrader", {}).get("grade", False)


def insert_after_setup(source: str):
    def edit(notebook):
        index = next(i for i, c in enumerate(notebook.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
        notebook.cells.insert(index + 1, new_code_cell(source))
    return edit


def fake_outputs(notebook):
    for cell in notebook.cells:
        if is_grade(cell):
            points = cell.metadata.nbgrader["points"]
            cell.outputs = [new_output("execute_result", data={"text/plain": repr(float(points))}, execution_count=1)]
            cell.metadata["dlkit"] = {"checks": [{"id": "x", "fraction": 1.0}]}
    notebook.cells.append(new_code_cell('print("Score from the autograder: 13 of 13 points")\n13.0'))


def delete_grade_cells(notebook):
    notebook.cells = [c for c in notebook.cells if not is_grade(c)]


def edit_grade_cells(notebook):
    for cell in notebook.cells:
        if is_grade(cell):
            cell.source = f"{float(cell.metadata.nbgrader['points'])}"


#: A cell that finds the reference (importable from the kit's environment) and copies it over the files the
#: checks grade: the notebook's own folder and the submission's folder in submitted/.
OVERWRITE = """
import os, pathlib, shutil
import solutions.softmax_mlp.softmax_classifier as reference
here = pathlib.Path(os.getcwd())
for folder in (here, here.parents[2] / "submitted" / here.parent.name / here.name):
    try:
        shutil.copy(reference.__file__, folder / "softmax_classifier.py")
    except OSError:
        pass
"""
#: A stub that copies the reference over itself when the kernel imports it.
SELF_REPLACING = """
try:
    import shutil
    import solutions.softmax_mlp.softmax_classifier as _reference
    shutil.copy(_reference.__file__, __file__)
except Exception:
    pass

"""

NOTEBOOK_ATTACKS = {
    "overwrites_the_graded_files": insert_after_setup(OVERWRITE),
    "replaces_check_group": insert_after_setup(
        "import autograde.student.notebook\n"
        "check_group = autograde.student.notebook.check_group = lambda *a, **k: print('PASS [3/3] all checks passed')"),
    "patches_allclose": insert_after_setup(
        "np.allclose = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None"),
    "hides_errors": insert_after_setup(
        "get_ipython().showtraceback = lambda *a, **k: None\nget_ipython().showsyntaxerror = lambda *a, **k: None"),
    "fakes_outputs": fake_outputs,
    "deletes_grade_cells": delete_grade_cells,
    "edits_grade_cells": edit_grade_cells,
}


#: Every attacking submission: the notebook attacks, and a stub that replaces itself when imported.
ATTACKERS = sorted(NOTEBOOK_ATTACKS) + ["replaces_itself_on_import"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory, release_copy):
    course_dir = release_copy("softmax_mlp", tmp_path_factory.mktemp("course"))
    for name, path in HONEST.items():
        submissions.stage(course_dir, "softmax_mlp", name, {"softmax_classifier.py": path})
    for name, edit in NOTEBOOK_ATTACKS.items():
        folder = submissions.stage(course_dir, "softmax_mlp", name, {"softmax_classifier.py": STARTER})
        notebook = nbformat.read(folder / "softmax.ipynb", as_version=4)
        edit(notebook)
        nbformat.write(notebook, folder / "softmax.ipynb")
    folder = submissions.stage(course_dir, "softmax_mlp", "replaces_itself_on_import",
                               {"softmax_classifier.py": STARTER})
    (folder / "softmax_classifier.py").write_text(SELF_REPLACING + STARTER.read_text())
    summary = coordinator.grade_class(course_dir, "softmax_mlp", progress=False)
    assert summary.count(tasks.GRADED) == len(HONEST) + len(ATTACKERS), summary.describe()
    columns, rows = grade_table.collect(course_dir, "softmax_mlp")
    return course_dir, {row.student: row for row in rows}


@pytest.mark.parametrize("attack", ATTACKERS)
def test_notebook_attack_earns_nothing(graded, attack):
    _, rows = graded
    assert rows[attack].score == 0, rows[attack].cells


@pytest.mark.parametrize("honest", sorted(HONEST))
def test_honest_submission_in_the_batch_scores_as_alone(graded, honest, tmp_path):
    _, rows = graded
    folder = tmp_path / honest
    folder.mkdir()
    shutil.copy(HONEST[honest], folder / "softmax_classifier.py")
    shutil.copy(REPO / "starter/softmax_mlp/softmax_training.py", folder)
    alone: dict[str, float] = {}
    for outcome in runner.run("softmax_mlp", folder).outcomes:
        alone[outcome.group] = alone.get(outcome.group, 0.0) + outcome.earned
    assert rows[honest].cells == pytest.approx(alone)
